// The dashboard's only script besides htmx: the print button. No inline scripts (the CSP forbids them).
document.addEventListener("click", function (event) {
  var target = event.target;
  if (target instanceof Element && target.closest("[data-print]")) {
    window.print();
  }
});
