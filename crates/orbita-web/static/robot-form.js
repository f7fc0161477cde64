// The robot form shows the fields its trigger and its action use: a task's words, person, deadline and
// priority for "set a task"; the words and the person for "notify"; the person for "give the
// deal to"; the stage for "move to a stage"; the field and its value for "set a field"; the
// webhook for "call a webhook". Without a script every field shows, and the
// server ignores the ones the action does not use.
(function () {
  "use strict";
  var person = ["assignee", "assignee_user_id", "assignee_group_id"];
  var uses = {
    set_task: ["task_title", "task_description", "due_minutes", "due_field", "due_working", "priority"].concat(person),
    notify: ["task_title"].concat(person),
    assign_owner: person,
    move_stage: ["target_stage_id"],
    set_field: ["set_field", "set_value"],
    call_webhook: ["webhook_id"],
  };
  var every = uses.set_task.concat(["target_stage_id", "set_field", "set_value", "webhook_id"]);

  function show(action) {
    var wanted = uses[action.value] || every;
    every.forEach(function (name) {
      var input = document.getElementById("f-" + name);
      var field = input && input.closest(".field");
      if (field) {
        field.hidden = wanted.indexOf(name) < 0;
      }
    });
  }

  // The stage is asked for "a deal enters the stage", the field for "a field changes".
  function showForTrigger(trigger) {
    [["stage_id", "stage_entered"], ["trigger_field", "field_changed"]].forEach(function (pair) {
      var input = document.getElementById("f-" + pair[0]);
      var field = input && input.closest(".field");
      if (field) {
        field.hidden = trigger.value !== pair[1];
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var action = document.getElementById("f-action");
    if (action) {
      action.addEventListener("change", function () { show(action); });
      show(action);
    }
    var trigger = document.getElementById("f-trigger");
    if (trigger) {
      trigger.addEventListener("change", function () { showForTrigger(trigger); });
      showForTrigger(trigger);
    }
  });
})();
