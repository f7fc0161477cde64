# Reports and monthly sales targets.

error-month-format = Enter the month as YYYY-MM
error-period-order = The period ends before it starts
error-period-too-long = The period is too long
