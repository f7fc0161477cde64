# Orbita: texts of the deals, kanban, tasks and activities pages (Russian). Same conventions
# as main.ftl; every key here must exist in en/deals.ftl too.

## Deals list

deals-new = Сделка
deals-new-title = Новая сделка
deals-edit-title = Изменение сделки
deals-search-placeholder = Поиск по названию сделки
deals-more-filters = Ещё фильтры
deals-created-period = Создана
deals-closed-period = Закрыта
deals-company-region = Регион компании
deals-company-industry = Отрасль компании
deals-period-from = с
deals-period-to = по
deals-columns = Столбцы
deals-columns-apply = Показать
deals-views = Представления
deals-view-all = Все сделки
deals-view-mine-open = Мои в работе
deals-view-save = Сохранить представление
deals-view-name = Название представления
deals-view-share = Кому видно
deals-view-private = Только мне
deals-view-shared = Видно группе
deals-view-delete = Удалить представление
deals-view-kanban = Канбан
deals-export-xlsx = Excel (.xlsx)
deals-export-csv = CSV
deals-empty-filtered-hint = Измените условия поиска или сбросьте фильтры.
deals-field-closed = Закрыта
deals-field-budget = Бюджет
deals-company-number = Компания № { $id }
deals-contact-number = Контакт № { $id }
deals-deal-number = Сделка № { $id }

## Deal card

deals-breadcrumbs = Путь к странице
deals-progress = Этапы воронки
deals-details = Сведения
deals-timeline = История
deals-change-stage = Этап сделки
deals-action-move = Перевести на этап
deals-action-won = Успешно реализовано
deals-action-lost = Закрыть как проигранную…
deals-action-lost-confirm = Закрыть как проигранную
deals-lost-reason-hint = Обязательна для этапа «Закрыто и не реализовано»
deals-quick-actions = Быстрые действия
deals-log-call = Записать звонок или встречу
deals-log-submit = Записать
deals-all-activity-fields = Все поля
deals-add-task = Поставить задачу
deals-add-task-submit = Поставить задачу
deals-all-task-fields = Все поля задачи
deals-add-note = Добавить заметку
deals-add-note-submit = Добавить заметку
deals-note = Заметка
deals-note-placeholder = Что важно запомнить по сделке
deals-open-tasks = Открытые задачи
deals-no-open-tasks = Открытых задач нет.
deals-timeline-created = Сделка создана
deals-timeline-updated = Сделка изменена
deals-timeline-owner = Сменился ответственный
deals-timeline-stage = Этап
deals-timeline-task-created = Задача поставлена
deals-timeline-task-done = Задача выполнена
deals-delete-title = Удаление сделки
deals-delete-question = Удалить сделку «{ $title }»?
deals-delete-warning = Сделка исчезнет из списков, воронки и отчётов. Задачи и активности по ней останутся.
deals-delete-confirm = Удалить сделку
deals-stale = Пока вы редактировали, запись изменил другой пользователь. Проверьте поля и сохраните ещё раз.

## Deal form

deals-title-placeholder = Например: Остекление коттеджа, 14 окон
deals-source-placeholder = Сайт, звонок, рекомендация…
deals-company-hint = Найдите компанию и отметьте её; со страницы компании она подставится сама

## Выбор связанных записей в формах (сделки, задачи, активности): поиск по названию

picker-no-company = Без компании
picker-no-contact = Без контакта
picker-no-deal = Без сделки
picker-find-company = Название или ИНН
picker-find-contact = Имя, телефон или e-mail
picker-find-deal = Название сделки

## Kanban

kanban-view-list = Списком
kanban-help = Перетащите карточку в другой столбец, чтобы сменить этап, или откройте меню «Этап» на карточке.
kanban-empty-column = Нет сделок
kanban-move = Этап
kanban-move-to = Перевести на этап
kanban-moved = Сделка переведена на другой этап.
kanban-move-failed = Не удалось перевести сделку. Обновите страницу и попробуйте снова.
kanban-lost-title = Почему сделка проиграна?
kanban-more = Ещё { $count } в списке

## Tasks

tasks-title = Мои задачи
tasks-title-team = Задачи команды
tasks-title-of = Задачи: { $name }
tasks-new = Задача
tasks-new-title = Новая задача
tasks-tab-mine = Мои
tasks-tab-team = Команда
tasks-status-open = Открытые
tasks-status-done = Выполненные
tasks-group-overdue = Просроченные
tasks-group-today = Сегодня
tasks-group-upcoming = Предстоящие
tasks-group-no-due = Без срока
tasks-group-done = Выполненные
tasks-mark-done = Выполнено
tasks-reopen = Вернуть в работу
tasks-time-zone-hint = Время по часовому поясу организации ({ $zone })
tasks-delete-question = Удалить задачу безвозвратно?

## Activities

activities-title = Активности
activities-subtitle = Звонки, встречи, письма и заметки по всем контрагентам
activities-new = Записать активность
activities-new-title = Новая активность
activities-edit-title = Изменение активности
activities-period = Период
activities-counterparty = Контрагент
activities-contact-person = Контактное лицо
activities-time-spent = Затрачено
activities-no-subject = Без описания
activities-follow-up = Следующий шаг
activities-follow-up-hint = Заполните, чтобы сразу поставить задачу по итогам.
activities-follow-up-title = Задача
activities-follow-up-placeholder = Например: перезвонить после согласования
activities-assignee-same = Тот же ответственный
activities-delete-question = Удалить запись об активности?

## Field labels and errors of these pages

field-task-assignee = Исполнитель задачи
error-link-id-format = Введите номер записи цифрами
error-datetime-local-format = Введите дату и время или выберите их в календаре

# Фильтры списка задач: период выполнения и просроченные.
tasks-done-from = Выполнены с
tasks-done-to = по
tasks-only-overdue = Только просроченные
tasks-order-due = По сроку
tasks-group-sorted = По полю «{ $field }»
activities-order-newest = Сначала новые
deals-move-to = Перевести на этап «{ $stage }»
deals-close-open-tasks = { $count ->
    [one] Закрыть и { $count } открытую задачу сделки
    [few] Закрыть и { $count } открытые задачи сделки
   *[other] Закрыть и { $count } открытых задач сделки
}
deals-lost-other = Другое (укажите)
deals-lost-own-words = Своими словами
kanban-lost-choose = Выберите причину…
