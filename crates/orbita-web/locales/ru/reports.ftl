# Reports and monthly sales targets.

error-month-format = Укажите месяц как ГГГГ-ММ
error-period-order = Конец периода раньше начала
error-period-too-long = Слишком длинный период
