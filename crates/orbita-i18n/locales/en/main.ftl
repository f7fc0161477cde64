# Orbita: English interface texts. Every key here must exist in ru/main.ftl too
# (tests/i18n.rs checks it). Conventions are described at the top of ru/main.ftl.

## Application

app-name = Orbita
skip-to-content = Skip to content
lang-ru = Русский
lang-en = English
language = Language

## Navigation

nav-main = Main navigation
nav-menu = Menu
error-home = To the start page
nav-companies = Companies
nav-contacts = Contacts
nav-deals = Deals
nav-kanban = Board
nav-tasks = Tasks
nav-activities = Activities
nav-reports = Reports
nav-admin = Admin

## Header

search-label = Search
search-placeholder = Search by name, INN or KPP
user-menu = User menu
sign-out = Sign out
signed-in-as = Signed in as { $name }

## Common actions

action-add = Add
action-save = Save
action-cancel = Cancel
action-edit = Edit
action-delete = Delete
action-search = Search
action-filter = Filter
action-reset = Reset
action-export = Export to Excel
action-next-page = Next page
action-previous-page = Previous
action-first-page = First page
action-back = Back
action-close = Close
action-open = Open
action-more = More
action-confirm-delete = Delete for good?

## Lists and tables

table-sort-by = Sort by { $field }
table-actions = Actions
table-shown = Shown: { $count }
pagination = Pages
filter-all = All
filter-mine = Mine
filter-any = Any

## Empty states

empty-title = Nothing here yet
empty-search = Nothing found
empty-search-hint = Check the spelling, or search by INN, KPP or phone.
empty-companies = No companies yet
empty-companies-hint = Add the first company or import a list from Excel.
empty-contacts = No contacts yet
empty-contacts-hint = Add a contact person on a company's card.
empty-deals = No deals yet
empty-deals-hint = Create a deal to see it in the pipeline.
empty-tasks = No tasks
empty-tasks-hint = All done. New tasks will appear here.
empty-activities = No activities yet
empty-activities-hint = Log calls and meetings so no client's history gets lost.

## Forms and messages

form-error-summary = Check the highlighted fields
form-error-count = { $count ->
    [one] { $count } error
   *[other] { $count } errors
}
form-required = required
form-optional = optional
form-phones-hint = Separate several numbers with commas.
form-emails-hint = Separate several addresses with commas.
flash-saved = Changes saved.
flash-created = Record created.
flash-deleted = Record deleted.
flash-error = Something went wrong. Please try again.
flash-conflict = Someone else changed this record. Reload the page and try again.
alert-info = Information
alert-success = Done
alert-warning = Warning
alert-error = Error

## Entities

entity-company = Company
entity-contact = Contact
entity-deal = Deal
entity-task = Task
entity-activity = Activity

## Field labels

field-name = Name
field-inn = INN
field-kpp = KPP
field-ogrn = OGRN
field-industry = Industry
field-region = Region
field-address = Address
field-phones = Phones
field-phone = Phone
field-emails = E-mails
field-email = E-mail
field-throttled = Sign-in held back (limit reached)
field-website = Website
field-source = Source
field-owner = Owner
field-notes = Notes
field-last-name = Last name
field-first-name = First name
field-middle-name = Middle name
field-full-name = Full name
field-position = Position
field-company = Company
field-contact = Contact
field-deal = Deal
field-title = Title
field-description = Description
field-amount = Amount
field-currency = Currency
field-pipeline = Pipeline
field-stage = Stage
field-probability = Probability
field-expected-close-date = Expected close date
field-status = Status
field-lost-reason = Lost reason
field-due = Due
field-assignee = Assignee
field-priority = Priority
field-kind = Type
field-direction = Direction
field-occurred = Date and time
field-duration-minutes = Duration, min
field-subject = Substance
field-responsible = Responsible
field-password = Password
field-role = Role
field-group = Group
field-is-active = Active
field-created = Created
field-updated = Updated
field-open-deals = Open deals

## Values

deal-status-open = Open
deal-status-won = Won
deal-status-lost = Lost
task-status-open = Open
task-status-done = Done
task-overdue = Overdue
task-priority-low = Low
task-priority-normal = Normal
task-priority-high = High
activity-kind-call = Call
activity-kind-meeting = Meeting
activity-kind-email = E-mail
activity-kind-note = Note
activity-direction-incoming = Incoming
activity-direction-outgoing = Outgoing
activity-status-planned = Planned
activity-status-done = Done

## Counts

count-companies = { $count ->
    [one] { $count } company
   *[other] { $count } companies
}
count-contacts = { $count ->
    [one] { $count } contact
   *[other] { $count } contacts
}
count-deals = { $count ->
    [one] { $count } deal
   *[other] { $count } deals
}
count-tasks = { $count ->
    [one] { $count } task
   *[other] { $count } tasks
}
count-activities = { $count ->
    [one] { $count } activity
   *[other] { $count } activities
}
count-minutes = { $count ->
    [one] { $count } minute
   *[other] { $count } minutes
}

## Due dates

due-today = Today
due-tomorrow = Tomorrow
due-yesterday = Yesterday
due-in-days = { $days ->
    [one] In { $days } day
   *[other] In { $days } days
}
due-overdue-days = { $days ->
    [one] { $days } day overdue
   *[other] { $days } days overdue
}

## Validation errors (codes from orbita-domain and orbita-app)

error-digest-hour-invalid = The digest hour is from 0 to 23
error-required = Fill in this field
error-too-long = This value is too long
error-inn-format = INN must be 10 digits for an organisation or 12 for an individual
error-inn-check-digits = INN check digits do not match: check for a typo
error-kpp-format = KPP must be 9 characters: 4 digits, 2 digits or letters, 3 digits
error-kpp-required = An organisation (10-digit INN) needs a KPP
error-kpp-individual = An individual entrepreneur (12-digit INN) has no KPP
error-kpp-without-inn = A KPP needs an INN
error-ogrn-format = OGRN must be 13 digits for a company or 15 for a sole trader
error-ogrn-check-digit = OGRN check digit does not match: check for a typo
error-phone-format = Enter a phone number like +7 916 123-45-67
error-email-format = Enter an e-mail address like name@example.com
error-currency-format = Currency must be a 3-letter code like RUB
error-amount-format = Enter an amount like 1500000.00
error-amount-negative = Amount cannot be negative
error-amount-precision = At most 2 digits after the decimal separator
error-amount-too-large = Amount must be at most 999,999,999,999,999.99
error-date-format = Enter a date as YYYY-MM-DD or pick it in the calendar
error-duration-range = From 0 to 1440 minutes
error-link-required = Link it to a company, contact or deal
error-password-too-short = At least 8 characters
error-password-too-long = At most 128 characters
error-inn-kpp-taken = A company with this INN and KPP already exists
error-email-taken = A user with this e-mail already exists
error-role-unknown = Choose a role from the list
error-owner-inactive = This user is deactivated
error-owner-out-of-scope = You cannot assign records to this user
error-stage-unknown = Choose a stage of the deal's pipeline
error-password-wrong = The current password is not right
error-password-common = This password is too common: choose another
error-deactivate-self = You cannot deactivate yourself
error-role-above-yours = You cannot give a role with more rights than yours
error-last-administrator = This is the last active administrator: appoint another one first
error-job-not-retryable = Only a job that failed or stopped can be retried
error-escalation-minutes-range = Give minutes from 0 to 43200
error-work-days-unknown = Choose days of the week
error-work-days-required = Choose at least one working day
error-work-time-format = Enter a time like 09:00
error-work-end-before-start = Work ends after it starts
error-automation-minutes-range = Give a whole number of minutes within the allowed range
error-automation-date-field-unknown = Choose a date field of deals
error-automation-field-required = Choose the field
error-automation-field-unknown = Choose a field of deals
error-automation-pipeline-required = Choose a pipeline
error-automation-stage-required = Choose the stage
error-automation-assignee-required = Choose who gets the task
error-automation-user-unknown = Choose an active user
error-automation-group-unknown = Choose a group
error-automation-no-assignee = No one can take the task
error-automation-deal-unknown = No deal with this number
error-automation-webhook-required = Choose the webhook
error-automation-webhook-unknown = Choose a webhook of the organisation
error-webhook-url = Give the receiver's address, http:// or https://
error-webhook-event-unknown = Choose events from the list
error-webhook-events-required = Choose at least one event
error-webhook-no-secret-key = Webhooks need the server's secret key (--secret-key or ORBITA_SECRET_KEY)
error-groups-not-yours = Only an administrator of all users changes groups
error-administrator-fixed = The administrator role's rights cannot change
error-grant-above-yours = You cannot grant a right you do not hold
error-group-taken = A group with this name already exists
error-view-taken = You already have a view with this name
error-view-group = Share with a group you belong to
error-kind-not-handed-over = These records stay with their author
error-filter-field-unknown = The condition names a field that does not exist
error-filter-json = The condition is not valid JSON
error-filter-op-not-for-field = This field cannot be compared this way
error-filter-op-unknown = Unknown comparison in the condition
error-filter-shape = A condition node is and, or, not or a field with a comparison
error-filter-too-deep = The condition is nested too deeply
error-filter-too-large = The condition is too large
error-filter-value = The value does not fit the field or the comparison

## Style guide page (/ui/preview)

preview-title = Interface sample
preview-intro = Every interface component on one page: compare new screens with it.
preview-buttons = Buttons
preview-badges = Badges
preview-alerts = Messages
preview-table = Table
preview-form = Form
preview-kanban = Board
preview-empty = Empty state
preview-formats = Formats
preview-company-new = New company
preview-industry-choose = Choose an industry

## Sign-in and account

login-title = Sign in to Orbita
login-submit = Sign in
login-failed = Wrong e-mail or password
login-rate-limited = Too many failed attempts. Try again in { $seconds } s.
setup-title = First administrator
setup-intro = Orbita has no users yet. Create the administrator's account: you will add your colleagues from it.
setup-submit = Create administrator
password-title = Change password
password-hint = 8 to 128 characters; a phrase of several words works well
password-changed = Password changed. Your other sessions were signed out.
field-current-password = Current password
field-new-password = New password
account-password = Change password
error-unknown-column = This list has no such column

## Notifications

notifications-title = Notifications
notifications-unread = unread
notifications-read-all = Mark all read
notifications-mark-read = Mark read
notifications-none = No notifications
notifications-none-hint = When a task or a deal is given to you, or a task of yours falls overdue, it shows here.
notifications-older = Older notifications
notification-task-assigned = Task assigned to you: { $subject }
notification-deal-assigned = Deal assigned to you: { $subject }
notification-task-overdue = Task overdue: { $subject }
notification-team-task-overdue = A task of your team is overdue: { $subject }
notification-webhook-disabled = A webhook was switched off after failing: { $subject }
notification-rule-notice = Automation: { $subject }
notification-settings-title = Notification settings
notification-settings-link = Settings
notification-settings-kind = What happened
notification-settings-in-app = In the bell
notification-settings-email = By e-mail
notification-kind-task-assigned = A task is assigned to me
notification-kind-deal-assigned = A deal is given to me
notification-kind-task-overdue = My task is overdue
notification-kind-team-task-overdue = A task of my team is overdue
notification-kind-webhook-disabled = A webhook was switched off
notification-kind-rule-notice = A pipeline rule tells me something
notification-settings-digest = Daily digest by e-mail
notification-settings-digest-hint = Overdue tasks, today's tasks and deals stuck in a stage, once a day at the chosen hour; not sent on a day with nothing in it.
notification-settings-digest-off = Do not send
notification-settings-mail-on = Letters come from { $from } to { $to }. Several notifications in a short time come as one letter; one you have already read in the bell is not sent.
notification-settings-mail-off = E-mail is off on this server: the administrator has not set an SMTP server (ORBITA_SMTP_URL). Your choices are kept and apply once it is set.
notification-settings-saved = Notification settings saved
mail-notifications-subject = { $count ->
    [one] { $count } new notification
   *[other] { $count } new notifications
}
mail-greeting = Hello, { $name }!
mail-footer-settings = Choose which notifications come by e-mail:
mail-digest-subject = Your day in Orbita, { $day }
mail-digest-overdue = Overdue tasks
mail-digest-today = Tasks for today
mail-digest-stuck = Deals without movement
mail-digest-days-in-stage = { $days ->
    [one] { $days } day in the stage
   *[other] { $days } days in the stage
}
notification-access-requested = Access to a company asked for: { $subject }
notification-kind-access-requested = Someone asks for a company of mine

# Web forms
error-web-form-required = Fill this in
error-web-form-too-long = This answer is too long
error-web-form-consent = Tick your consent to send the request
error-web-form-no-way-back = Leave a phone or an e-mail
error-web-form-assignee = Choose who gets the requests
error-web-form-field-name = A field's name: letters, digits, _ - . (not starting with _, not utm_…)
error-web-form-field-twice = Two fields have this name
error-web-form-maps-to = Choose where the answer goes
error-web-form-maps-to-twice = Two fields fill the same place
error-web-form-too-many = At most 30 fields
error-web-form-origin = This is not a site's address such as https://example.ru
error-web-form-redirect = Give a page's address, https://…
error-web-form-custom = Choose a field of deals a buyer can fill in (not a link or a user)
error-web-form-custom-required = The form must ask for every required field of deals, as required
web-form-thanks = Thank you! Your request is in; we will be in touch shortly.
web-form-consent = I consent to the processing of my personal data to answer this request.
web-form-send = Send

## My day, the home page
nav-my-day = My day
my-day-title = My day
my-day-new-task = New task
my-day-figures = Today's figures
my-day-overdue = Overdue
my-day-today = Due today
my-day-no-next-step = No next step
my-day-no-next-step-none = Every open deal has a task or a planned call.
my-day-stuck = Stuck
my-day-stuck-count = { $count ->
    [one] Over { $count } day in the stage
   *[other] Over { $count } days in the stage
}
my-day-stuck-none = No deal is standing still.
my-day-since = in the stage since { $date }
my-day-target-of = Target for { $month }
my-day-won-in = Won in { $month }
my-day-tasks = Today's tasks
my-day-tasks-none = No tasks for today.
my-day-meetings = Today's calls and meetings
my-day-meetings-none = Nothing planned for today.
my-day-team = Team
my-day-won-month = Won this month
my-day-target = Target
my-day-pipeline = Deals by stage
my-day-won-week = Won this week
my-day-won-none = No deals won this week yet.
