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
entity-custom-field = Дополнительное поле
entity-job = Фоновая задача
entity-webhook = Вебхук
entity-automation-rule = Правило автоматизации
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

## Custom fields
admin-fields = Поля
fields-intro = Свои поля для каждого вида записей: они появляются в карточках и формах, в колонках списков, в фильтрах, сортировке, выгрузках, API и журнале аудита.
fields-kinds = Вид записей
fields-none = Своих полей пока нет
fields-none-hint = Добавьте первое в форме справа.
fields-label = Поле
fields-key = Ключ
fields-key-hint = Латинские буквы, цифры и _, первой — буква: в API поле называется custom.<ключ>. Потом его не изменить.
fields-type = Тип
fields-flags = Настройки
fields-actions = Действия
fields-required = Обязательное
fields-indexed = С индексом
fields-indexed-hint = Индекс ускоряет отбор и сортировку по полю в больших списках, немного замедляя каждое сохранение.
fields-removed = Убрано
fields-remove = Убрать
fields-restore = Вернуть
fields-purge = Удалить данные
fields-add = Добавить поле
fields-edit = Изменить поле
fields-label-ru = Название по-русски
fields-label-en = Название по-английски
fields-options = Варианты
fields-options-hint = Для списка и множественного списка: по одному варианту в строке.
fields-link-kind = Ссылается на
fields-link-kind-hint = Для поля-ссылки: вид записей, на которые оно указывает.
fields-group = Группа
fields-group-hint = Поля одной группы стоят вместе под её заголовком в карточке.
custom-yes = Да
custom-no = Нет
custom-type-text = Текст
custom-type-long_text = Длинный текст
custom-type-number = Число
custom-type-money = Деньги
custom-type-date = Дата
custom-type-date_time = Дата и время
custom-type-bool = Да / нет
custom-type-list = Список
custom-type-multi_list = Множественный список
custom-type-user = Пользователь
custom-type-link = Ссылка на запись
custom-type-url = Веб-адрес
custom-type-email = Эл. почта
custom-type-phone = Телефон
error-custom-key-format = Ключ — латинская буква, затем буквы, цифры и _, не длиннее 40 знаков
error-custom-key-taken = У этого вида записей уже есть поле с таким ключом
error-custom-type = Выберите тип из списка
error-custom-options = Списку нужен хотя бы один вариант (до 200); у других типов вариантов нет
error-custom-link-kind = Для ссылки выберите, на какие записи она указывает
error-custom-field-unknown = Такого поля нет
error-custom-value = Значение не подходит для этого поля
error-custom-not-removed = Сначала уберите поле, потом удаляйте его данные
error-custom-too-many = У вида записей не больше 100 своих полей
admin-jobs = Фоновые задачи
jobs-intro = Работа, которая идёт в фоне: построение индексов полей, а дальше — роботы, уведомления и письма. Сбой повторяется с паузой; после последней попытки задача ждёт решения администратора.
jobs-none = Сбоев нет
jobs-none-hint = Здесь появятся задачи, которые не удалось выполнить, с текстом ошибки.
jobs-kind = Задача
jobs-attempts = Попытки
jobs-error = Ошибка
jobs-when = Когда
jobs-retry = Повторить
jobs-next-attempt = следующая попытка { $at }
job-state-queued = В очереди
job-state-running = Выполняется
job-state-done = Выполнено
job-state-failed = Ждёт повтора
job-state-dead = Остановлена
job-kind-custom_field_indexes = Индексы пользовательского поля
job-kind-automation = Правило автоматизации

## Automation rules

admin-automation = Роботы
automation-intro = Роботы каждой воронки: когда сделка создана или попала на этап, они ставят задачу, присылают уведомление, передают сделку или переводят её дальше — сразу или через заданное время. Правила выполняются в фоне после сохранения изменения.
automation-on-new-deal = Новая сделка
automation-add = Добавить робота
automation-new-rule = Новый робот
automation-back = К роботам воронки
automation-trigger = Когда
automation-trigger-deal_created = Сделка создана в воронке
automation-trigger-stage_entered = Сделка попала на этап
automation-stage = Этап
automation-choose-stage = Выберите этап
automation-stage-hint = Для «сделка попала на этап».
automation-task-title = Задача или сообщение
automation-template-hint = {"{"}title{"}"}, {"{"}amount{"}"}, {"{"}source{"}"} и {"{"}stage{"}"} заменяются значениями сделки.
automation-assignee = Кто (выполняет, получает сообщение или сделку)
automation-assignee-deal_owner = Ответственный за сделку
automation-assignee-user = Выбранный сотрудник
automation-assignee-round_robin = Сотрудник группы по очереди
automation-assignee-least_loaded = Наименее загруженный сотрудник группы
automation-user = Сотрудник
automation-user-hint = Для «выбранный сотрудник».
automation-group = Группа
automation-group-hint = Для сотрудника группы.
automation-due-minutes = Срок, минут
automation-due-hint = С момента постановки задачи; пусто — без срока.
automation-delay-minutes = Задержка, минут
automation-delay-hint = Через сколько после события робот сработает; 0 или пусто — сразу. Если сделка к тому времени ушла с этапа, робот её не тронет: задержка с уведомлением — это «сделка слишком долго на этапе».
automation-condition = Условие
automation-condition-hint = Только сделки, подходящие под фильтр (JSON, как filter= в списках), например {"{"}"field":"amount","op":"gte","value":"100000"{"}"}; пусто — все сделки.
automation-active = Робот включён
automation-in-turn = По очереди: { $group }
automation-least-loaded = Наименее загруженный: { $group }
automation-due-in = срок { $time }
automation-after = через { $time }
automation-minutes = { $n } мин
automation-hours = { $n } ч
automation-days = { $n } дн
automation-conditional = с условием
automation-off = выключен
automation-runs = Последние запуски
automation-no-runs = Запусков пока не было
automation-no-runs-hint = Каждый раз, когда робот срабатывает, здесь видно, что он сделал.
automation-detail = Подробности
automation-outcome-fired = Задача поставлена
automation-outcome-skipped = Пропущено
automation-outcome-failed = Ошибка
settings-escalation = Сообщать руководителю о просроченной задаче через, минут
settings-escalation-hint = Когда задача просрочена так долго, об этом узнают руководители отделов её исполнителя; 0 — не сообщать.
automation-test = Пробный запуск
automation-test-deal = Номер сделки
automation-test-hint = Что робот сделал бы с этой сделкой сейчас; ничего не меняется.
automation-test-run = Проверить
automation-test-skip = Ничего бы не сделал: { $reason }
automation-test-task = Поставил бы задачу «{ $title }» исполнителю { $assignee }, срок { $due }.
automation-action = Что делает
automation-action-hint = Ставит задачу; присылает уведомление в колокольчик и на почту; переводит сделку на этап; передаёт сделку.
automation-action-set_task = Поставить задачу
automation-action-notify = Уведомить
automation-action-move_stage = Перевести на этап
automation-action-assign_owner = Передать сделку
automation-target-stage = На этап
automation-target-stage-hint = Для «Перевести на этап». Роботы, переводящие сделку снова и снова, останавливаются после 5 переводов подряд.
automation-test-notice = Сообщил бы сотруднику { $recipient }: «{ $text }».
automation-test-owner = Передал бы сделку сотруднику { $owner }.
automation-test-move = Перевёл бы сделку на этап «{ $stage }».

## Webhooks

admin-webhooks = Вебхуки
webhooks-intro = Другие системы узнают об изменениях: каждое событие отправляется JSON-запросом POST на адрес, подписанное секретом вебхука (X-Orbita-Signature), повторяется при сбое и отключается после 20 сбоев подряд.
webhooks-none = Вебхуков нет
webhooks-none-hint = Добавьте адрес справа, чтобы сообщать другой системе об изменениях.
webhooks-new = Новый вебхук
webhooks-edit = Вебхук
webhooks-events = События
webhooks-event = Событие
webhooks-answer = Ответ
webhooks-time = Время
webhooks-active = Отправляет
webhooks-off = Выключен
webhooks-disabled = Отключён после сбоев
webhooks-active-label = Отправлять события (при включении сбои обнуляются)
webhooks-secret = Секрет подписи вебхука — скопируйте его сейчас, больше он не будет показан:
webhooks-secret-hint = Проверяйте X-Orbita-Signature: t=<секунды Unix>,v1=<hex HMAC-SHA256 от "<t>.<тело>" с этим секретом>.
webhooks-deliveries = Отправки
webhooks-no-deliveries = Ещё ничего не отправлено
settings-mail = Почта
settings-mail-on = Включена: письма приходят от { $from }, ссылки в них ведут на { $link }. Задаётся переменными ORBITA_SMTP_URL, ORBITA_SMTP_FROM и ORBITA_PUBLIC_URL.
settings-mail-off = Выключена: у этого сервера не указан SMTP-сервер. Укажите ORBITA_SMTP_URL (smtp://host:587?tls=required или smtps://host) и ORBITA_SMTP_FROM и перезапустите; до тех пор уведомления остаются в колокольчике.
