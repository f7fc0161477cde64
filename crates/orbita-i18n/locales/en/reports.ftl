# Reports and monthly sales targets.

error-month-format = Enter the month as YYYY-MM
error-period-order = The period ends before it starts
error-period-too-long = The period is too long

## Labels the exports ask for (headers of the files).

field-closed = Closed
field-done = Done
field-id = Number
report-total = Total
report-deals-created = Deals created
report-won-count = Won, count
report-won-amount = Won, amount
report-won-other = Won in other currencies
report-lost-count = Lost
report-lost-reasons = Lost reasons
report-open-amount = Open deals, amount
report-open-other = Open in other currencies
report-forecast = Forecast
report-conversion = Conversion
report-average-won = Average deal
report-calls = Calls
report-meetings = Meetings
report-tasks-done = Tasks done
report-tasks-open = Tasks open
report-tasks-overdue = Tasks overdue
report-target = Target
report-target-percent = % of target

## The report pages.

report-summary-title = Summary report
report-targets-title = Sales targets
report-funnel-title = Sales funnel
report-period = Period
report-period-this-month = This month
report-period-last-month = Last month
report-period-this-quarter = This quarter
report-period-this-year = This year
report-group = Group
report-show = Show
report-export-xlsx = Download Excel
report-export-csv = CSV
report-section-deals = Deals
report-section-work = Activity, tasks and targets
report-employee = Employee
report-won = Won
report-open = Open deals
report-activities = Activities
report-tasks = Tasks
report-plan = Sales target
report-count = count
report-amount = amount
report-done = done
report-in-work = open
report-overdue = overdue
report-actual = Actual
report-reason-none = no reason
report-empty = No employees to report on
report-empty-hint = The report shows the employees whose figures you may see.
report-note-links = Every figure opens the list of records it counts. Amounts are in the organisation's currency; deals in other currencies are shown apart and counted in the counts only.
report-count-deals = { $count ->
    [one] { $count } deal
   *[other] { $count } deals
}

## Targets.

report-targets-subtitle = Target and actual per employee and month
report-targets-earlier = Earlier
report-targets-later = Later
report-targets-hint = Type a target into a cell and press Enter.
report-targets-legend = Each cell: the target, then the actual (deals won in the month, in the organisation's currency) and the percentage reached. "Total" compares the sum of the targets with what the same people won; in a month without targets, everything won.
report-targets-copy = Copy last month's
report-targets-copy-title = Copy the targets of { $month } for everyone without a target this month
report-targets-copied = { $count ->
    [one] { $count } target copied
   *[other] { $count } targets copied
}
report-target-saved = Target saved
report-target-saved-short = Saved
report-month-1 = Jan
report-month-2 = Feb
report-month-3 = Mar
report-month-4 = Apr
report-month-5 = May
report-month-6 = Jun
report-month-7 = Jul
report-month-8 = Aug
report-month-9 = Sep
report-month-10 = Oct
report-month-11 = Nov
report-month-12 = Dec

## Funnel.

report-funnel-subtitle = Deals created in the period, by stage
report-funnel-chart = Sales funnel
report-funnel-created = created in the period
report-funnel-empty = This pipeline has no stages
report-funnel-table = Funnel stages
report-funnel-reached = Reached
report-funnel-previous = From previous
report-funnel-start = From start
report-funnel-lost-here = Lost at this stage
report-funnel-from-previous = { $percent } of the previous stage
report-funnel-lost-elsewhere = { $count } more were lost without passing a stage (created as lost).
report-funnel-lost-reasons = Lost reasons
report-funnel-lost-elsewhere-row = Lost without passing a stage
report-funnel-company-filters = Region, industry
report-funnel-company-hint = Only deals of companies with this region and industry, as written on the company's card.
report-plan-title = Target and actual by month
report-plan-share = { $percent } reached in the months with a target
report-plan-chart-title = { $name }: target and actual by month

# The sources report
report-sources-title = Sources of clients
report-by-source = By source
report-by-campaign = By advertising campaign (utm_campaign)
report-source = Source
report-campaign = Campaign
report-source-none = No source
report-leads = Leads
report-revenue = Revenue
report-sources-empty-hint = No deal was created in the period. Requests from web forms write their source and UTM tags themselves.
report-sources-note = The deals created in the period are counted: how many of them are won by today and for how much (in the organisation's currency). The numbers open the deals list.
