# Orbita: texts of the deals, kanban, tasks and activities pages (English). Same conventions
# as main.ftl; every key here must exist in ru/deals.ftl too.

## Deals list

deals-new = Deal
deals-new-title = New deal
deals-edit-title = Edit deal
deals-search-placeholder = Search deal titles
deals-more-filters = More filters
deals-created-period = Created
deals-closed-period = Closed
deals-company-region = Company's region
deals-company-industry = Company's industry
deals-period-from = from
deals-period-to = to
deals-columns = Columns
deals-columns-apply = Show
deals-views = Views
deals-view-all = All deals
deals-view-mine-open = My open deals
deals-view-save = Save view
deals-view-name = View name
deals-view-share = Who sees it
deals-view-private = Only me
deals-view-shared = Shared with
deals-view-delete = Delete view
deals-view-kanban = Board
deals-export-xlsx = Excel (.xlsx)
deals-export-csv = CSV
deals-empty-filtered-hint = Change the search or reset the filters.
deals-field-closed = Closed
deals-field-budget = Budget
deals-company-number = Company #{ $id }
deals-contact-number = Contact #{ $id }
deals-deal-number = Deal #{ $id }

## Deal card

deals-breadcrumbs = Breadcrumbs
deals-progress = Pipeline stages
deals-details = Details
deals-timeline = History
deals-change-stage = Deal stage
deals-action-move = Move to stage
deals-action-won = Won
deals-action-lost = Close as lost…
deals-action-lost-confirm = Close as lost
deals-lost-reason-hint = Required for a lost stage
deals-quick-actions = Quick actions
deals-log-call = Log a call or meeting
deals-log-submit = Log it
deals-all-activity-fields = All fields
deals-add-task = Add a task
deals-add-task-submit = Add task
deals-all-task-fields = All task fields
deals-add-note = Add a note
deals-add-note-submit = Add note
deals-note = Note
deals-note-placeholder = What to remember about this deal
deals-open-tasks = Open tasks
deals-no-open-tasks = No open tasks.
deals-timeline-created = Deal created
deals-timeline-updated = Deal edited
deals-timeline-owner = Owner changed
deals-timeline-stage = Stage
deals-timeline-task-created = Task added
deals-timeline-task-done = Task done
deals-delete-title = Delete deal
deals-delete-question = Delete the deal “{ $title }”?
deals-delete-warning = The deal disappears from lists, the board and reports. Its tasks and activities stay.
deals-delete-confirm = Delete deal
deals-stale = Someone else changed this record while you were editing. Check the fields and save again.

## Deal form

deals-title-placeholder = E.g. Glazing a cottage, 14 windows
deals-source-placeholder = Website, call, referral…
deals-company-hint = Find the company and tick it; from a company's page it is filled in

## Record pickers of the forms (a deal's, task's, activity's links), searched by name

picker-no-company = No company
picker-no-contact = No contact
picker-no-deal = No deal
picker-find-company = Name or INN
picker-find-contact = Name, phone or e-mail
picker-find-deal = Deal title

## Kanban

kanban-view-list = As a list
kanban-help = Drag a card to another column to change its stage, or open the card's “Stage” menu.
kanban-empty-column = No deals
kanban-move = Stage
kanban-move-to = Move to stage
kanban-moved = The deal was moved to another stage.
kanban-move-failed = The deal could not be moved. Reload the page and try again.
kanban-lost-title = Why was the deal lost?
kanban-more = { $count } more in the list

## Tasks

tasks-title = My tasks
tasks-title-team = Team tasks
tasks-title-of = Tasks of { $name }
tasks-new = Task
tasks-new-title = New task
tasks-tab-mine = Mine
tasks-tab-team = Team
tasks-status-open = Open
tasks-status-done = Done
tasks-group-overdue = Overdue
tasks-group-today = Today
tasks-group-upcoming = Upcoming
tasks-group-no-due = No due date
tasks-group-done = Done
tasks-mark-done = Done
tasks-reopen = Reopen
tasks-time-zone-hint = In the organisation's time zone ({ $zone })
tasks-delete-question = Delete this task for good?

## Activities

activities-title = Activities
activities-subtitle = Calls, meetings, letters and notes with every counterparty
activities-new = Log an activity
activities-new-title = New activity
activities-edit-title = Edit activity
activities-period = Period
activities-counterparty = Counterparty
activities-contact-person = Contact person
activities-time-spent = Time spent
activities-no-subject = No description
activities-follow-up = Next step
activities-follow-up-hint = Fill in to add a follow-up task right away.
activities-follow-up-title = Task
activities-follow-up-placeholder = E.g. call back after approval
activities-assignee-same = Same as responsible
activities-delete-question = Delete this activity record?

## Field labels and errors of these pages

field-task-assignee = Task assignee
error-link-id-format = Enter the record's number in digits
error-datetime-local-format = Enter a date and time or pick them in the calendar

# The tasks list's period and overdue filters.
tasks-done-from = Done from
tasks-done-to = to
tasks-only-overdue = Only overdue
tasks-order-due = By due time
tasks-group-sorted = By { $field }
activities-order-newest = Newest first
deals-move-to = Move to “{ $stage }”
deals-close-open-tasks = { $count ->
    [one] Also close the deal's { $count } open task
   *[other] Also close the deal's { $count } open tasks
}
deals-lost-other = Other (please say)
deals-lost-own-words = In your own words
kanban-lost-choose = Choose a reason…
