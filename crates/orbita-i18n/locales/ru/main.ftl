# Orbita: Russian interface texts. The first users speak Russian, so this file is the
# fallback for any key missing elsewhere. Every key here must exist in en/main.ftl too
# (tests/i18n.rs checks it).
#
# Conventions: `field-<name>` labels a form field, named after the domain field without
# `_id`/`_at` (owner_id → field-owner); `error-<code>` is the message for a domain
# validation code; `count-<thing>` takes $count and chooses the plural form.

## Application

app-name = Orbita
skip-to-content = Перейти к содержимому
lang-ru = Русский
lang-en = English
language = Язык

## Navigation

nav-main = Основная навигация
nav-menu = Меню
error-home = На главную
nav-companies = Компании
nav-contacts = Контакты
nav-deals = Сделки
nav-kanban = Канбан
nav-tasks = Задачи
nav-activities = Активности
nav-reports = Отчёты
nav-admin = Администрирование

## Header

search-label = Поиск
search-placeholder = Поиск по названию, ИНН или КПП
user-menu = Меню пользователя
sign-out = Выйти
signed-in-as = Вы вошли как { $name }

## Common actions

action-add = Добавить
action-save = Сохранить
action-cancel = Отмена
action-edit = Изменить
action-delete = Удалить
action-search = Найти
action-filter = Фильтр
action-reset = Сбросить
action-export = Экспорт в Excel
action-next-page = Следующая страница
action-previous-page = Предыдущая
action-first-page = В начало
action-back = Назад
action-close = Закрыть
action-open = Открыть
action-more = Ещё
action-confirm-delete = Удалить безвозвратно?

## Lists and tables

table-sort-by = Сортировать по полю «{ $field }»
table-actions = Действия
table-shown = Показано: { $count }
pagination = Страницы
filter-all = Все
filter-mine = Мои
filter-any = Любой

## Empty states

empty-title = Здесь пока пусто
empty-search = Ничего не найдено
empty-search-hint = Проверьте написание или поищите по ИНН, КПП или телефону.
empty-companies = Компаний пока нет
empty-companies-hint = Добавьте первую компанию или загрузите список из Excel.
empty-contacts = Контактов пока нет
empty-contacts-hint = Добавьте контактное лицо в карточке компании.
empty-deals = Сделок пока нет
empty-deals-hint = Создайте сделку, чтобы она появилась в воронке.
empty-tasks = Задач нет
empty-tasks-hint = Всё сделано. Новые задачи появятся здесь.
empty-activities = Активностей пока нет
empty-activities-hint = Записывайте звонки и встречи, чтобы история клиента не терялась.

## Forms and messages

form-error-summary = Проверьте выделенные поля
form-error-count = { $count ->
    [one] { $count } ошибка
    [few] { $count } ошибки
    [many] { $count } ошибок
   *[other] { $count } ошибки
}
form-required = обязательное поле
form-optional = необязательно
form-phones-hint = Несколько номеров — через запятую.
form-emails-hint = Несколько адресов — через запятую.
flash-saved = Изменения сохранены.
flash-created = Запись создана.
flash-deleted = Запись удалена.
flash-error = Что-то пошло не так. Попробуйте ещё раз.
flash-conflict = Запись изменил кто-то другой. Обновите страницу и повторите.
alert-info = Информация
alert-success = Готово
alert-warning = Внимание
alert-error = Ошибка

## Entities

entity-company = Компания
entity-contact = Контакт
entity-deal = Сделка
entity-task = Задача
entity-activity = Активность

## Field labels

field-name = Название
field-inn = ИНН
field-kpp = КПП
field-ogrn = ОГРН
field-industry = Отрасль
field-region = Регион
field-address = Адрес
field-phones = Телефоны
field-phone = Телефон
field-emails = Эл. почта
field-email = Эл. почта
field-throttled = Вход приостановлен (достигнут предел)
field-website = Сайт
field-source = Источник
field-owner = Ответственный
field-notes = Заметки
field-last-name = Фамилия
field-first-name = Имя
field-middle-name = Отчество
field-full-name = ФИО
field-position = Должность
field-company = Компания
field-contact = Контакт
field-deal = Сделка
field-title = Название
field-description = Описание
field-amount = Сумма
field-currency = Валюта
field-pipeline = Воронка
field-stage = Этап
field-probability = Вероятность
field-expected-close-date = Ожидаемая дата закрытия
field-status = Статус
field-lost-reason = Причина отказа
field-due = Срок
field-assignee = Исполнитель
field-priority = Приоритет
field-kind = Тип
field-direction = Направление
field-occurred = Дата и время
field-duration-minutes = Длительность, мин
field-subject = Суть разговора
field-responsible = Ответственный
field-password = Пароль
field-role = Роль
field-group = Группа
field-is-active = Активен
field-created = Создано
field-updated = Изменено
field-open-deals = Открытые сделки

## Values

deal-status-open = В работе
deal-status-won = Выиграна
deal-status-lost = Проиграна
task-status-open = Открыта
task-status-done = Выполнена
task-overdue = Просрочена
task-priority-low = Низкий
task-priority-normal = Обычный
task-priority-high = Высокий
activity-kind-call = Звонок
activity-kind-meeting = Встреча
activity-kind-email = Письмо
activity-kind-note = Заметка
activity-direction-incoming = Входящий
activity-direction-outgoing = Исходящий
activity-status-planned = Запланировано
activity-status-done = Состоялось

## Counts

count-companies = { $count ->
    [one] { $count } компания
    [few] { $count } компании
    [many] { $count } компаний
   *[other] { $count } компании
}
count-contacts = { $count ->
    [one] { $count } контакт
    [few] { $count } контакта
    [many] { $count } контактов
   *[other] { $count } контакта
}
count-deals = { $count ->
    [one] { $count } сделка
    [few] { $count } сделки
    [many] { $count } сделок
   *[other] { $count } сделки
}
count-tasks = { $count ->
    [one] { $count } задача
    [few] { $count } задачи
    [many] { $count } задач
   *[other] { $count } задачи
}
count-activities = { $count ->
    [one] { $count } активность
    [few] { $count } активности
    [many] { $count } активностей
   *[other] { $count } активности
}
count-minutes = { $count ->
    [one] { $count } минута
    [few] { $count } минуты
    [many] { $count } минут
   *[other] { $count } минуты
}

## Due dates

due-today = Сегодня
due-tomorrow = Завтра
due-yesterday = Вчера
due-in-days = { $days ->
    [one] Через { $days } день
    [few] Через { $days } дня
    [many] Через { $days } дней
   *[other] Через { $days } дня
}
due-overdue-days = { $days ->
    [one] Просрочено на { $days } день
    [few] Просрочено на { $days } дня
    [many] Просрочено на { $days } дней
   *[other] Просрочено на { $days } дня
}

## Validation errors (codes from orbita-domain and orbita-app)

error-digest-hour-invalid = Час сводки — от 0 до 23
error-required = Заполните это поле
error-too-long = Слишком длинное значение
error-inn-format = ИНН — 10 цифр для организации или 12 для физлица и ИП
error-inn-check-digits = Контрольные цифры ИНН не совпадают: проверьте, нет ли опечатки
error-kpp-format = КПП — 9 символов: 4 цифры, 2 цифры или буквы, 3 цифры
error-kpp-required = Для организации (ИНН из 10 цифр) укажите КПП
error-kpp-individual = У ИП (ИНН из 12 цифр) нет КПП
error-kpp-without-inn = КПП указывается вместе с ИНН
error-ogrn-format = ОГРН — 13 цифр для организации или 15 для ИП
error-ogrn-check-digit = Контрольная цифра ОГРН не совпадает: проверьте, нет ли опечатки
error-phone-format = Введите номер телефона, например +7 916 123-45-67
error-email-format = Введите адрес эл. почты, например name@example.com
error-currency-format = Валюта — трёхбуквенный код, например RUB
error-amount-format = Введите сумму, например 1 500 000,00
error-amount-negative = Сумма не может быть отрицательной
error-amount-precision = Не больше двух знаков после запятой
error-amount-too-large = Сумма не больше 999 999 999 999 999,99
error-date-format = Введите дату в формате ГГГГ-ММ-ДД или выберите её в календаре
error-duration-range = От 0 до 1440 минут
error-link-required = Привяжите к компании, контакту или сделке
error-password-too-short = Не меньше 8 символов
error-password-too-long = Не больше 128 символов
error-inn-kpp-taken = Компания с такими ИНН и КПП уже есть
error-email-taken = Пользователь с таким адресом уже есть
error-role-unknown = Выберите роль из списка
error-owner-inactive = Этот пользователь отключён
error-owner-out-of-scope = Вы не можете назначать записи этому пользователю
error-stage-unknown = Выберите этап из воронки этой сделки
error-password-wrong = Текущий пароль указан неверно
error-password-common = Этот пароль слишком распространён: придумайте другой
error-deactivate-self = Нельзя отключить самого себя
error-role-above-yours = Нельзя дать роль с бо́льшими правами, чем у вас
error-last-administrator = Это последний активный администратор: сначала назначьте другого
error-job-not-retryable = Повторить можно только задачу, которая не удалась или остановлена
error-escalation-minutes-range = Укажите число минут от 0 до 43200
error-work-days-unknown = Выберите дни недели
error-work-days-required = Выберите хотя бы один рабочий день
error-work-time-format = Укажите время, например 09:00
error-work-end-before-start = Конец работы — позже начала
error-automation-minutes-range = Укажите целое число минут в допустимых пределах
error-automation-date-field-unknown = Выберите поле-дату сделки
error-automation-field-required = Выберите поле
error-automation-field-unknown = Выберите поле сделки
error-automation-pipeline-required = Выберите воронку
error-automation-stage-required = Выберите этап
error-automation-assignee-required = Выберите, кто получит задачу
error-automation-user-unknown = Выберите активного сотрудника
error-automation-group-unknown = Выберите группу
error-automation-no-assignee = Некому поставить задачу
error-automation-deal-unknown = Нет сделки с таким номером
error-automation-webhook-required = Выберите вебхук
error-automation-webhook-unknown = Выберите вебхук организации
error-webhook-url = Укажите адрес получателя, http:// или https://
error-webhook-event-unknown = Выберите события из списка
error-webhook-events-required = Выберите хотя бы одно событие
error-webhook-no-secret-key = Для вебхуков серверу нужен секретный ключ (--secret-key или ORBITA_SECRET_KEY)
error-groups-not-yours = Группы меняет только администратор всех пользователей
error-administrator-fixed = Права роли администратора не меняются
error-grant-above-yours = Нельзя выдать право, которого нет у вас
error-group-taken = Группа с таким названием уже есть
error-view-taken = У вас уже есть представление с таким названием
error-view-group = Поделиться можно только со своей группой
error-kind-not-handed-over = Эти записи остаются у их автора
error-filter-field-unknown = В условии отбора нет такого поля
error-filter-json = Условие отбора записано неверно (ожидается JSON)
error-filter-op-not-for-field = Это поле так сравнить нельзя
error-filter-op-unknown = Неизвестное сравнение в условии отбора
error-filter-shape = Узел условия отбора: and, or, not или поле со сравнением
error-filter-too-deep = Условие отбора слишком глубоко вложено
error-filter-too-large = Условие отбора слишком большое
error-filter-value = Значение не подходит к полю или сравнению

## Style guide page (/ui/preview)

preview-title = Образец интерфейса
preview-intro = Все компоненты интерфейса на одной странице: сверяйте с ней новые экраны.
preview-buttons = Кнопки
preview-badges = Метки
preview-alerts = Сообщения
preview-table = Таблица
preview-form = Форма
preview-kanban = Канбан
preview-empty = Пустое состояние
preview-formats = Форматы
preview-company-new = Новая компания
preview-industry-choose = Выберите отрасль

## Sign-in and account

login-title = Вход в Orbita
login-submit = Войти
login-failed = Неверный e-mail или пароль
login-rate-limited = Слишком много неудачных попыток. Попробуйте снова через { $seconds } с.
setup-title = Первый администратор
setup-intro = В Orbita ещё нет пользователей. Создайте учётную запись администратора: с неё вы добавите сотрудников.
setup-submit = Создать администратора
password-title = Смена пароля
password-hint = От 8 до 128 символов; подойдёт фраза из нескольких слов
password-changed = Пароль изменён. Остальные сеансы завершены.
field-current-password = Текущий пароль
field-new-password = Новый пароль
account-password = Сменить пароль
error-unknown-column = В этом списке нет такой колонки

## Notifications

notifications-title = Уведомления
notifications-unread = непрочитанных
notifications-read-all = Прочитать все
notifications-mark-read = Прочитано
notifications-none = Уведомлений нет
notifications-none-hint = Здесь появится, когда вам поручат задачу или сделку или когда ваша задача просрочится.
notifications-older = Более ранние уведомления
notification-task-assigned = Вам поручена задача: { $subject }
notification-deal-assigned = Вам передана сделка: { $subject }
notification-task-overdue = Просрочена задача: { $subject }
notification-team-task-overdue = Просрочена задача сотрудника: { $subject }
notification-webhook-disabled = Вебхук отключён после сбоев: { $subject }
notification-rule-notice = Робот: { $subject }
notification-settings-title = Настройки уведомлений
notification-settings-link = Настройки
notification-settings-kind = Событие
notification-settings-in-app = В колокольчике
notification-settings-email = По почте
notification-kind-task-assigned = Мне поручена задача
notification-kind-deal-assigned = Мне передана сделка
notification-kind-task-overdue = Моя задача просрочена
notification-kind-team-task-overdue = Просрочена задача моей команды
notification-kind-webhook-disabled = Вебхук отключён
notification-kind-rule-notice = Сообщение робота воронки
notification-settings-digest = Ежедневная сводка по почте
notification-settings-digest-hint = Просроченные задачи, задачи на сегодня и сделки, застрявшие на этапе, раз в день в выбранный час; в день, когда сказать нечего, не приходит.
notification-settings-digest-off = Не присылать
notification-settings-mail-on = Письма приходят от { $from } на { $to }. Несколько уведомлений за короткое время приходят одним письмом; уже прочитанное в колокольчике не отправляется.
notification-settings-mail-off = Почта на этом сервере выключена: администратор не указал SMTP-сервер (ORBITA_SMTP_URL). Ваш выбор сохранится и заработает, когда сервер будет указан.
notification-settings-saved = Настройки уведомлений сохранены
mail-notifications-subject = { $count ->
    [one] { $count } новое уведомление
    [few] { $count } новых уведомления
    [many] { $count } новых уведомлений
   *[other] { $count } новых уведомления
}
mail-greeting = Здравствуйте, { $name }!
mail-footer-settings = Выбрать, какие уведомления приходят по почте:
mail-digest-subject = Ваш день в Orbita, { $day }
mail-digest-overdue = Просроченные задачи
mail-digest-today = Задачи на сегодня
mail-digest-stuck = Сделки без движения
mail-digest-days-in-stage = { $days ->
    [one] { $days } день на этапе
    [few] { $days } дня на этапе
    [many] { $days } дней на этапе
   *[other] { $days } дня на этапе
}
notification-access-requested = Просят доступ к компании: { $subject }
notification-kind-access-requested = Просят доступ к моей компании

# Web forms
error-web-form-required = Заполните это поле
error-web-form-too-long = Слишком длинный ответ
error-web-form-consent = Отметьте согласие, чтобы отправить заявку
error-web-form-no-way-back = Оставьте телефон или e-mail
error-web-form-assignee = Выберите, кто получает заявки
error-web-form-field-name = Имя поля: буквы, цифры, _ - . (не начинается с _ и не utm_…)
error-web-form-field-twice = Два поля с этим именем
error-web-form-maps-to = Выберите, куда записать ответ
error-web-form-maps-to-twice = Два поля записывают в одно место
error-web-form-too-many = Не больше 30 полей
error-web-form-origin = Это не адрес сайта вида https://example.ru
error-web-form-redirect = Укажите адрес страницы, https://…
error-web-form-custom = Выберите поле сделки, которое может заполнить покупатель (не ссылку и не сотрудника)
error-web-form-custom-required = В форме должно быть каждое обязательное поле сделок, и тоже обязательным
web-form-thanks = Спасибо! Заявка принята, мы скоро свяжемся с вами.
web-form-consent = Я согласен на обработку моих персональных данных для ответа на заявку (152-ФЗ).
web-form-send = Отправить

## My day, the home page
nav-my-day = Мой день
my-day-title = Мой день
my-day-new-task = Новая задача
my-day-figures = Показатели дня
my-day-overdue = Просрочено
my-day-today = На сегодня
my-day-no-next-step = Без следующего шага
my-day-no-next-step-none = У каждой открытой сделки есть задача или запланированный звонок.
my-day-stuck = Застряли
my-day-stuck-count = { $count ->
    [one] Больше { $count } дня на стадии
   *[other] Больше { $count } дней на стадии
}
my-day-stuck-none = Ни одна сделка не стоит на месте.
my-day-since = на стадии с { $date }
my-day-target-of = План на { $month }
my-day-won-in = Выиграно за { $month }
my-day-tasks = Задачи на сегодня
my-day-tasks-none = На сегодня задач нет.
my-day-meetings = Звонки и встречи сегодня
my-day-meetings-none = На сегодня ничего не запланировано.
my-day-team = Команда
my-day-won-month = Выиграно за месяц
my-day-target = План
my-day-pipeline = Сделки по стадиям
my-day-won-week = Выиграно на этой неделе
my-day-won-none = На этой неделе выигранных сделок пока нет.
