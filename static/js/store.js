/* The shop's small behaviours, wired from data attributes: the Content Security Policy runs no inline handler. */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-go-back], [data-print], [data-href], [data-close-window]");
    if (!target) { return; }
    event.preventDefault();
    if (target.hasAttribute("data-go-back")) { window.history.back(); }
    else if (target.hasAttribute("data-print")) { window.print(); }
    else if (target.hasAttribute("data-close-window")) { window.close(); }
    else { window.location.href = target.getAttribute("data-href"); }
  });

  // A select that applies itself (sort order, level filter): the form is sent when the choice changes.
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-submit-on-change]") && event.target.form) {
      event.target.form.submit();
    }
  });

  function ready(callback) {
    if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", callback); }
    else { callback(); }
  }

  ready(function () {
    // "Use my location" fills the nearest-to field with the browser's position and sorts the offers.
    document.querySelectorAll("[data-use-my-location]").forEach(function (button) {
      if (!navigator.geolocation) { return; }
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.geolocation.getCurrentPosition(function (position) {
          var input = document.getElementById(button.getAttribute("data-use-my-location"));
          input.value = position.coords.latitude.toFixed(4) + ", " + position.coords.longitude.toFixed(4);
          input.form.submit();
        });
      });
    });

    // Oscar's image upload widget: the upload button hides once a preview shows, and comes back for a bad file.
    document.querySelectorAll("img[data-upload-button]").forEach(function (image) {
      var button = document.getElementById(image.getAttribute("data-upload-button"));
      if (!button) { return; }
      function shown() { button.style.display = "none"; }
      function failed() {
        button.style.display = "";
        if (image.getAttribute("src")) { window.alert(image.getAttribute("data-error-message")); }
      }
      if (image.complete && image.naturalWidth > 0) { shown(); }
      image.addEventListener("load", shown);
      image.addEventListener("error", failed);
    });
  });
})();
