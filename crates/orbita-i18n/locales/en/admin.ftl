# Administration: users, groups, roles and rights, the audit log.

admin-users = Users
admin-groups = Groups
admin-roles = Roles and rights
admin-audit = Audit log
admin-saved = Changes saved.
admin-add-user = Add user
admin-active = Active
admin-inactive = Deactivated
admin-locale-browser = As in the browser
admin-members = Members
admin-no-groups = No groups yet
admin-new-group = New group
admin-groups-hint = A head of sales sees the records of every member of their groups.
admin-roles-intro = For each area and action a role grants access to the user's own records, their groups' records, or all. A dash means no access.
admin-builtin = built-in
admin-area = Area
admin-new-role = New role
admin-reset-password = Set a new password
admin-reset-hint = All of the user's sessions will end.
admin-password-reset-done = Password set; the user's sessions have ended.
admin-deactivate-hint = A deactivated user cannot sign in; their sessions end at once.
field-active = Active
scope-own = Own
scope-group = Own groups'
scope-all = All
area-companies = Companies
area-contacts = Contacts
area-deals = Deals
area-tasks = Tasks
area-activities = Activities
area-reports = Reports
area-users_and_settings = Users and settings
area-audit_log = Audit log
right-view = View
right-create = Create
right-edit = Edit
right-delete = Delete
right-export = Export
entity-user = User
entity-group = Group
entity-role = Role
entity-settings = Organisation settings
# The audit log's other subjects: a sales target, an API token, and for exports the list or
# report that was exported.
entity-sales-target = Sales target
entity-api-token = API token
entity-companies = Companies list
entity-contacts = Contacts list
entity-deals = Deals list
entity-tasks = Tasks list
entity-activities = Activities list
entity-audit-log = Audit log
entity-summary-report = Summary report
entity-funnel-report = Funnel report
field-groups = Groups
audit-system = System
audit-who = User
audit-entity = Record
audit-what = Action
audit-when = When
audit-ip = IP address
audit-changes = Changes
audit-empty = No events found
audit-from = From
audit-to = To
audit-action-create = Created
audit-action-update = Changed
audit-action-delete = Deleted
audit-action-stage-change = Stage changed
audit-action-owner-change = Owner changed
audit-action-export = Exported
audit-action-sign-in = Signed in
audit-action-sign-in-failed = Failed sign-in
audit-action-sign-out = Signed out
admin-user-name = Name

# Organisation settings.
admin-settings = Organisation
settings-intro = The organisation's name and the defaults for everyone: the currency of new deals, the time zone reports count days and months in, and the interface language of users who have not chosen one.
settings-org-name = Organisation name
settings-currency-hint = A 3-letter code like RUB; existing deals keep their currency.
settings-read-only = You may see the settings but not change them.
settings-time-zone-hint = An IANA name like Europe/Moscow.
settings-locale = Default language
field-time-zone = Time zone
error-time-zone-unknown = Enter a time zone like Europe/Moscow
error-locale-unknown = Choose a language from the list

# Handing records over to another user.
admin-ownership = Transfer ownership
ownership-intro = Hand a user's records over to a colleague, for example when someone leaves. The previous owner keeps access only if their rights cover the new owner.
ownership-choose-user = Choose a user
ownership-from = From
ownership-to = To
field-from-user = From
field-to-user = To
field-kinds = What to hand over
ownership-kinds = What to hand over
ownership-open-only = Only open deals and tasks
ownership-open-only-hint = Won and lost deals and done tasks stay with their owner and keep counting in their figures.
ownership-count = Count records
ownership-preview = Will be handed over
ownership-nothing = This user has no such records.
ownership-confirm-hint = Everything moves at once; each record's change is recorded in the audit log.
ownership-confirm = { $count ->
    [one] Hand over { $count } record
   *[other] Hand over { $count } records
}
ownership-moved = { $count ->
    [one] { $count } record handed over.
   *[other] { $count } records handed over.
}
error-same-user = Choose another user than the one who gives the records
error-kinds-empty = Choose what to hand over
