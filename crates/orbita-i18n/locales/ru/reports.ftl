# Reports and monthly sales targets.

error-month-format = Укажите месяц как ГГГГ-ММ
error-period-order = Конец периода раньше начала
error-period-too-long = Слишком длинный период

## Labels the exports ask for (headers of the files).

field-closed = Дата закрытия
field-done = Выполнена
field-id = Номер
report-total = Итого
report-deals-created = Создано сделок
report-won-count = Выиграно, шт.
report-won-amount = Выиграно, сумма
report-won-other = Выиграно в других валютах
report-lost-count = Проиграно
report-lost-reasons = Причины проигрыша
report-open-amount = Открытые сделки, сумма
report-open-other = Открытые в других валютах
report-forecast = Прогноз
report-conversion = Конверсия
report-average-won = Средняя сделка
report-calls = Звонки
report-meetings = Встречи
report-tasks-done = Задачи выполнены
report-tasks-open = Задачи в работе
report-tasks-overdue = Задачи просрочены
report-target = План
report-target-percent = % плана

## The report pages.

report-summary-title = Сводный отчёт
report-targets-title = План продаж
report-funnel-title = Воронка продаж
report-period = Период
report-period-this-month = Этот месяц
report-period-last-month = Прошлый месяц
report-period-this-quarter = Этот квартал
report-period-this-year = Этот год
report-group = Группа
report-show = Показать
report-export-xlsx = Скачать Excel
report-export-csv = CSV
report-section-deals = Сделки
report-section-work = Активность, задачи и план
report-employee = Сотрудник
report-won = Выиграно
report-open = Открытые сделки
report-activities = Активности
report-tasks = Задачи
report-plan = План продаж
report-count = шт.
report-amount = сумма
report-done = выполнено
report-in-work = в работе
report-overdue = просрочено
report-actual = Факт
report-reason-none = без причины
report-empty = Нет сотрудников для отчёта
report-empty-hint = Отчёт показывает сотрудников, чьи показатели вам доступны.
report-note-links = Каждое число открывает список записей, из которых оно сложено. Суммы — в валюте организации; сделки в других валютах показаны отдельно и учтены только в количестве.
report-count-deals = { $count ->
    [one] { $count } сделка
    [few] { $count } сделки
    [many] { $count } сделок
   *[other] { $count } сделки
}

## Targets.

report-targets-subtitle = План и факт по сотрудникам и месяцам
report-targets-earlier = Раньше
report-targets-later = Позже
report-targets-hint = Введите сумму плана в ячейке и нажмите Enter.
report-targets-legend = В ячейке: план, под ним факт (выигранные сделки месяца в валюте организации) и процент выполнения. «Итого» сравнивает сумму планов с выигранным теми же сотрудниками; в месяце без планов — всё выигранное.
report-targets-copy = Копировать из прошлого месяца
report-targets-copy-title = Скопировать планы за { $month } тем, у кого плана на этот месяц ещё нет
report-targets-copied = { $count ->
    [one] Скопирован { $count } план
    [few] Скопировано { $count } плана
    [many] Скопировано { $count } планов
   *[other] Скопировано { $count } плана
}
report-target-saved = План сохранён
report-target-saved-short = Сохранено
report-month-1 = янв
report-month-2 = фев
report-month-3 = мар
report-month-4 = апр
report-month-5 = май
report-month-6 = июн
report-month-7 = июл
report-month-8 = авг
report-month-9 = сен
report-month-10 = окт
report-month-11 = ноя
report-month-12 = дек

## Funnel.

report-funnel-subtitle = Сделки, созданные за период, по этапам
report-funnel-chart = Воронка продаж
report-funnel-created = создано за период
report-funnel-empty = В этой воронке нет этапов
report-funnel-table = Этапы воронки
report-funnel-reached = Дошли
report-funnel-previous = От предыдущего
report-funnel-start = От начала
report-funnel-lost-here = Проиграны на этапе
report-funnel-from-previous = { $percent } от предыдущего
report-funnel-lost-elsewhere = Ещё { $count } проиграны без прохождения этапов (созданы сразу проигранными).
report-funnel-lost-reasons = Причины проигрыша
report-funnel-lost-elsewhere-row = Проиграны без прохождения этапов
report-funnel-company-filters = Регион, отрасль
report-funnel-company-hint = Только сделки компаний с этим регионом и отраслью, как они записаны в карточке компании.
report-plan-title = План и факт по месяцам
report-plan-share = выполнен на { $percent } в месяцах с планом
report-plan-chart-title = { $name }: план и факт по месяцам

# The sources report
report-sources-title = Источники клиентов
report-by-source = По источникам
report-by-campaign = По рекламным кампаниям (utm_campaign)
report-source = Источник
report-campaign = Кампания
report-source-none = Без источника
report-leads = Заявок
report-revenue = Выручка
report-sources-empty-hint = За период не создано ни одной сделки. Заявки с веб-форм записывают источник и UTM-метки сами.
report-sources-note = Считаются сделки, созданные за период: сколько из них выиграно к сегодняшнему дню и на какую сумму (в валюте организации). Числа открывают список сделок.
