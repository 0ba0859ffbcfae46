"""The command-line side of bank version 2: `criteria check` of a version-2 folder and version-2 score files."""
