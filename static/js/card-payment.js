/* The card form on the thank-you page: Stripe.js confirms the card; the order is marked paid only when the server
   hears it from Stripe (a server-side retrieve on the return page, or Stripe's signed webhook). */
(function () {
  "use strict";
  var box = document.getElementById("card-payment");
  if (!box || typeof Stripe === "undefined") { return; }
  var stripe = Stripe(box.getAttribute("data-publishable-key"));
  var card = stripe.elements().create("card");
  card.mount("#card-element");
  document.getElementById("pay-by-card").addEventListener("click", function () {
    stripe.confirmCardPayment(box.getAttribute("data-client-secret"), {payment_method: {card: card}})
      .then(function (result) {
        if (result.error) {
          document.getElementById("card-errors").textContent = result.error.message;
        } else {
          window.location = box.getAttribute("data-return-url");
        }
      });
  });
})();
