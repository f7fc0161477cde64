// Orbita's kanban board: drag a deal card to another stage's column. The move is posted to
// /deals/{id}/stage (with the session's CSRF token in a header); on success the board is
// reloaded from the server, so counts and sums stay right. A drop on a "lost" column opens
// a dialog asking for the reason, which is a plain form. Without this script every card
// still moves through its "Move to…" menu of forms.
(function () {
  "use strict";

  var board = document.getElementById("board");
  if (!board || !window.fetch) {
    return;
  }
  var status = document.getElementById("board-status");
  var dialog = document.getElementById("lost-dialog");
  var dragged = null;
  var origin = null;
  var originNext = null;

  function say(message) {
    if (status) {
      status.textContent = message;
    }
  }

  function zoneOf(target) {
    return target && target.closest ? target.closest(".kanban__cards") : null;
  }

  function clearHighlight() {
    var zones = board.querySelectorAll(".kanban__cards.is-over");
    for (var i = 0; i < zones.length; i++) {
      zones[i].classList.remove("is-over");
    }
  }

  function putBack(card, from, next) {
    if (from) {
      from.insertBefore(card, next && next.parentNode === from ? next : null);
    }
  }

  // The board as the server sees it now: counts, sums and next tasks included.
  function refresh() {
    return fetch(window.location.href, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        return response.ok ? response.text() : Promise.reject(response.status);
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("board");
        if (fresh) {
          board.innerHTML = fresh.innerHTML;
        }
      });
  }

  function move(card, zone, from, next) {
    var body = new URLSearchParams();
    body.set("stage_id", zone.dataset.stage);
    card.classList.add("is-saving");
    fetch("/deals/" + encodeURIComponent(card.dataset.deal) + "/stage", {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-CSRF-Token": board.dataset.csrf,
        "X-Requested-With": "fetch"
      },
      body: body.toString()
    })
      .then(function (response) {
        if (response.status === 204 || response.ok) {
          say(board.dataset.msgMoved || "");
          return refresh();
        }
        return response.text().then(function (text) {
          return Promise.reject(text);
        });
      })
      .catch(function (reason) {
        card.classList.remove("is-saving");
        putBack(card, from, next);
        say(typeof reason === "string" && reason ? reason : board.dataset.msgFailed || "");
      });
  }

  function askReason(card, zone, from, next) {
    if (!dialog || typeof dialog.showModal !== "function") {
      putBack(card, from, next);
      var menu = card.querySelector(".kanban-card__menu");
      if (menu) {
        menu.open = true;
      }
      return;
    }
    var form = dialog.querySelector("form");
    form.action = "/deals/" + encodeURIComponent(card.dataset.deal) + "/stage";
    form.elements.stage_id.value = zone.dataset.stage;
    form.elements.lost_reason.value = "";
    var choice = form.elements.lost_choice;
    if (choice) {
      choice.value = "";
    }
    dialog.onclose = function () {
      if (dialog.returnValue !== "submitted") {
        putBack(card, from, next);
      }
    };
    dialog.returnValue = "";
    dialog.showModal();
    (choice || form.elements.lost_reason).focus();
  }

  if (dialog) {
    var cancel = dialog.querySelector("[data-close]");
    if (cancel) {
      cancel.addEventListener("click", function () {
        dialog.close("cancelled");
      });
    }
    dialog.querySelector("form").addEventListener("submit", function () {
      dialog.returnValue = "submitted";
    });
  }

  board.addEventListener("dragstart", function (event) {
    var card = event.target.closest ? event.target.closest(".kanban-card[draggable='true']") : null;
    if (!card) {
      return;
    }
    dragged = card;
    origin = card.parentNode;
    originNext = card.nextElementSibling;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.deal);
    card.classList.add("is-dragging");
  });

  board.addEventListener("dragend", function () {
    if (dragged) {
      dragged.classList.remove("is-dragging");
    }
    clearHighlight();
    dragged = null;
  });

  board.addEventListener("dragover", function (event) {
    var zone = zoneOf(event.target);
    if (!dragged || !zone) {
      return;
    }
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    if (!zone.classList.contains("is-over")) {
      clearHighlight();
      zone.classList.add("is-over");
    }
  });

  board.addEventListener("dragleave", function (event) {
    var zone = zoneOf(event.target);
    if (zone && !zone.contains(event.relatedTarget)) {
      zone.classList.remove("is-over");
    }
  });

  board.addEventListener("drop", function (event) {
    var zone = zoneOf(event.target);
    var card = dragged;
    if (!card || !zone) {
      return;
    }
    event.preventDefault();
    clearHighlight();
    card.classList.remove("is-dragging");
    if (zone.dataset.stage === card.dataset.stage) {
      return;
    }
    var from = origin;
    var next = originNext;
    zone.insertBefore(card, zone.firstChild);
    if (zone.dataset.kind === "lost") {
      askReason(card, zone, from, next);
    } else {
      move(card, zone, from, next);
    }
  });
})();
