# Administration: users, groups, roles and rights, the audit log.

admin-users = Пользователи
admin-groups = Группы
admin-roles = Роли и права
admin-audit = Журнал событий
admin-saved = Изменения сохранены.
admin-add-user = Добавить пользователя
admin-active = Активен
admin-inactive = Отключён
admin-locale-browser = Как в браузере
admin-members = Участники
admin-no-groups = Групп пока нет
admin-new-group = Новая группа
admin-groups-hint = Руководитель отдела видит записи всех участников своих групп.
admin-roles-intro = Для каждой области и действия роль даёт доступ к своим записям, записям своих групп или ко всем. Прочерк — нет доступа.
admin-builtin = встроенная
admin-area = Область
admin-new-role = Новая роль
admin-reset-password = Задать новый пароль
admin-reset-hint = Все сеансы пользователя будут завершены.
admin-password-reset-done = Пароль задан, сеансы пользователя завершены.
admin-deactivate-hint = Отключённый пользователь не может войти; его сеансы завершаются сразу.
field-active = Активен
scope-own = Свои
scope-group = Своих групп
scope-all = Все
area-companies = Компании
area-contacts = Контакты
area-deals = Сделки
area-tasks = Задачи
area-activities = Активности
area-reports = Отчёты
area-users_and_settings = Пользователи и настройки
area-audit_log = Журнал событий
right-view = Просмотр
right-create = Создание
right-edit = Изменение
right-delete = Удаление
right-export = Экспорт
entity-user = Пользователь
entity-group = Группа
entity-role = Роль
entity-settings = Настройки организации
# Прочие объекты журнала событий: план продаж, ключ API, а для выгрузок — выгруженный список
# или отчёт.
entity-sales-target = План продаж
entity-api-token = Ключ API
entity-companies = Список компаний
entity-contacts = Список контактов
entity-deals = Список сделок
entity-tasks = Список задач
entity-activities = Список активностей
entity-audit-log = Журнал событий
entity-summary-report = Сводный отчёт
entity-funnel-report = Воронка продаж
field-groups = Группы
audit-system = Система
audit-who = Пользователь
audit-entity = Объект
audit-what = Действие
audit-when = Когда
audit-ip = IP-адрес
audit-changes = Изменения
audit-empty = Событий не найдено
audit-from = С даты
audit-to = По дату
audit-action-create = Создание
audit-action-update = Изменение
audit-action-delete = Удаление
audit-action-stage-change = Смена этапа
audit-action-owner-change = Смена ответственного
audit-action-export = Экспорт
audit-action-sign-in = Вход
audit-action-sign-in-failed = Неудачный вход
audit-action-sign-out = Выход
admin-user-name = Имя

# Настройки организации.
admin-settings = Организация
settings-intro = Название организации и значения по умолчанию для всех: валюта новых сделок, часовой пояс, в котором отчёты считают дни и месяцы, и язык интерфейса для тех, кто его не выбрал.
settings-org-name = Название организации
settings-currency-hint = Трёхбуквенный код, например RUB; у существующих сделок валюта не меняется.
settings-read-only = Вы можете смотреть настройки, но не менять их.
settings-time-zone-hint = Название по IANA, например Europe/Moscow.
settings-locale = Язык по умолчанию
field-time-zone = Часовой пояс
error-time-zone-unknown = Укажите часовой пояс, например Europe/Moscow
error-locale-unknown = Выберите язык из списка

# Передача записей другому пользователю.
admin-ownership = Передача записей
ownership-intro = Передайте записи пользователя коллеге, например при увольнении. Прежний ответственный сохранит доступ, только если его права охватывают нового.
ownership-choose-user = Выберите пользователя
ownership-from = От кого
ownership-to = Кому
field-from-user = От кого
field-to-user = Кому
field-kinds = Что передать
ownership-kinds = Что передать
ownership-open-only = Только открытые сделки и задачи
ownership-open-only-hint = Выигранные и проигранные сделки и выполненные задачи остаются у ответственного и продолжают учитываться в его показателях.
ownership-count = Посчитать записи
ownership-preview = Будет передано
ownership-nothing = У этого пользователя нет таких записей.
ownership-confirm-hint = Всё передаётся разом; передача каждой записи попадает в журнал событий.
ownership-confirm = { $count ->
    [one] Передать { $count } запись
    [few] Передать { $count } записи
    [many] Передать { $count } записей
   *[other] Передать { $count } записи
}
ownership-moved = { $count ->
    [one] Передана { $count } запись.
    [few] Передано { $count } записи.
    [many] Передано { $count } записей.
   *[other] Передано { $count } записи.
}
error-same-user = Выберите другого пользователя, не того, кто передаёт записи
error-kinds-empty = Выберите, что передать
