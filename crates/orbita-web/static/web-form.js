// Orbita web forms on a company's site (optional: the forms work without it). For every
// <form data-orbita-form>: notes when the page was opened (robots fill forms at once), the
// page's UTM tags, the page itself and the one before it, then posts without leaving the
// page and shows the thank-you text in the form's place. Orbita's own code, MIT licence.
(function () {
  "use strict";
  function hidden(form, name, value) {
    if (!value || form.querySelector('[name="' + name + '"]')) return;
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    form.appendChild(input);
  }
  function prepare(form) {
    var opened = String(Date.now());
    var params = new URLSearchParams(window.location.search);
    ["utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term"].forEach(function (tag) {
      hidden(form, tag, params.get(tag));
    });
    hidden(form, "_page", window.location.href);
    hidden(form, "_referrer", document.referrer);
    form.addEventListener("submit", function (event) {
      if (!window.fetch) return;
      event.preventDefault();
      var body = {};
      new FormData(form).forEach(function (value, name) { body[name] = String(value); });
      body._ts = opened;
      fetch(form.action, {
        method: "POST",
        headers: { "Content-Type": "application/json", "Accept": "application/json" },
        body: JSON.stringify(body)
      }).then(function (response) {
        return response.json().then(function (answer) { return { ok: response.ok, answer: answer }; });
      }).then(function (result) {
        if (result.ok && result.answer.redirect_url) {
          window.location.href = result.answer.redirect_url;
        } else if (result.ok) {
          var done = document.createElement("p");
          done.textContent = result.answer.thank_you || "Спасибо! Заявка принята.";
          form.replaceWith(done);
        } else {
          var errors = (result.answer.errors || []).map(function (e) { return e.message; });
          window.alert(errors.join("\n") || result.answer.title || "Error");
        }
      }).catch(function () { form.submit(); });
    });
  }
  function start() {
    document.querySelectorAll("form[data-orbita-form]").forEach(prepare);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
