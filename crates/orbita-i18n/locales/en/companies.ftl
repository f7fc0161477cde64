# Orbita: texts of the companies, contacts and search pages (English). Same conventions as
# main.ftl; every key here must exist in ru/companies.ftl too.

## Lists

list-filters = List filters
list-apply = Apply
list-more-filters = More filters
list-filter-tree = Condition
list-filter-tree-drop = Remove the condition
list-columns = Columns
list-created-from = Created from
list-created-to = Created to
list-remove-filter = Remove filter
list-export-xlsx = Excel
list-export-csv = CSV
views-menu = Views
view-save = Save this view as…
view-name = View name
view-name-placeholder = E.g. My clients in Moscow
view-delete = Delete view
view-delete-named = Delete view “{ $name }”
notice-view-saved = View saved: find it in the Views menu.
notice-view-deleted = View deleted.
notice-view-invalid = Give the view a name (up to 100 characters).

## Companies

companies-add = Add company
companies-new = New company
companies-edit = Edit company
companies-search-placeholder = Name, INN, KPP, phone or e-mail
companies-name-hint = As in documents: Romashka LLC, IE Ivanov I. I.
companies-inn-hint = 10 digits for an organisation, 12 for an entrepreneur
companies-delete-confirm = Delete the company “{ $name }”?
companies-delete-hint = Its tasks and call history are deleted; contacts and deals stay, without a company.
duplicates-title = This company may already exist
duplicates-exact-hint = Open its card instead of registering it twice.
duplicates-kept-by = It is kept by { $name }, and you cannot see it. Ask them or your head of sales to share the company with you or hand it over.
duplicates-save-anyway = Save anyway (it is a different organisation)
form-stale-hint = Someone else saved this record while you were editing. Your changes are still in the form: check them and save again.

## Contacts

contacts-add = Add contact
contacts-new = New contact
contacts-edit = Edit contact
contacts-search-placeholder = Name, phone or e-mail
contacts-empty-search-hint = Check the spelling or search by phone or e-mail.
contacts-no-company = No company
contacts-company-search = Find a company by name or INN
contacts-company-hint = Start typing a name or INN and pick the company from the matches.
contacts-duplicates-title = A contact with this phone or e-mail already exists
contacts-delete-confirm = Delete the contact “{ $name }”?
contacts-delete-hint = Their tasks and call history are deleted; deals stay, without a contact.

## Record card

crumbs = Breadcrumbs
delete-confirm-submit = Yes, delete
card-details = Details
card-timeline = History
card-open-tasks = Open tasks
timeline-change = Change
timeline-created = Record created
timeline-edited = Fields changed
timeline-deleted = Record deleted
timeline-owner-changed = Owner changed
timeline-stage-changed = The deal moved to another stage
timeline-system = System
timeline-task-created = New task: { $title }
timeline-task-done = Task done: { $title }

## Quick actions on a card

quick-title = Quick actions
quick-log = Log a call or meeting
quick-task = Add a task
quick-note = Note
quick-log-submit = Log it
quick-task-submit = Add task
quick-note-submit = Save note
quick-follow-up = Next step: a task
quick-follow-up-placeholder = Call back on Friday
quick-follow-up-default = Follow up
quick-contact-none = Not specified
field-note = Note
field-task-title = Task
field-task-due = Task due
notice-activity-logged = Added to the history.
notice-task-added = Task added.
notice-note-added = Note saved.
error-datetime-format = Enter a date and time or pick them in the calendar

## Global search

search-title = Search
search-for = For “{ $query }”
search-empty-query = What are you looking for?
search-empty-query-hint = Type a name, INN, KPP, phone or e-mail into the search box at the top.
search-open-list = Open as a list
search-all-results = All results for “{ $query }”

# Transferring a company and sharing it.
action-transfer-owner = Transfer owner
transfer-new-owner = New owner
transfer-owner-hint = The previous owner keeps access only if their rights cover the new owner.
notice-owner-changed = The owner is changed.
notice-owner-refused = The company cannot be given to this user.
notice-contact-owner-refused = The contact cannot be given to this user.
shares-title = Shared with
shares-none = Not shared with anyone.
shares-with = Share with…
shares-add = Share
shares-remove = Remove
shares-remove-label = Stop sharing with { $name }
notice-shared = The company is shared.
notice-unshared = The share is removed.
notice-share-refused = The company cannot be shared with this user.
error-share-owner = The owner sees the company already
field-shared-with = Shared with
list-order = Order
list-order-ascending = { $field }, ascending
list-order-descending = { $field }, descending
duplicates-ask-access = Ask for access
notice-access-requested = Your request went to the owner and their head of sales: once they share the company, it shows in your list.
notice-call-logged = The call is logged.
notice-stage-moved = The deal's stage is changed.
notice-closed-with-tasks = The deal is closed and its open tasks are marked done.
