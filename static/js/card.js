// The card: the print link prints in place (without JavaScript it opens the print preview).
(function () {
  "use strict";
  document.querySelectorAll(".print-link").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      window.print();
    });
  });
})();
