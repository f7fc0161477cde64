# Orbita: texts of the companies, contacts and search pages (Russian). Same conventions as
# main.ftl; every key here must exist in en/companies.ftl too.

## Lists

list-filters = Фильтры списка
list-apply = Применить
list-more-filters = Ещё фильтры
list-filter-tree = Условие отбора
list-filter-tree-drop = Убрать условие отбора
list-columns = Столбцы
list-created-from = Создана с
list-created-to = Создана по
list-remove-filter = Убрать фильтр
list-export-xlsx = Excel
list-export-csv = CSV
views-menu = Виды
view-save = Сохранить вид…
view-name = Название вида
view-name-placeholder = Например: Мои клиенты в Москве
view-delete = Удалить вид
view-delete-named = Удалить вид «{ $name }»
notice-view-saved = Вид сохранён: он в меню «Виды».
notice-view-deleted = Вид удалён.
notice-view-invalid = Дайте виду название (до 100 символов).

## Companies

companies-add = Добавить компанию
companies-new = Новая компания
companies-edit = Изменение компании
companies-search-placeholder = Название, ИНН, КПП, телефон или эл. почта
companies-name-hint = Как в документах: ООО «Ромашка», ИП Иванов И. И.
companies-inn-hint = 10 цифр у организации, 12 у ИП
companies-delete-confirm = Удалить компанию «{ $name }»?
companies-delete-hint = Её задачи и история звонков удалятся; контакты и сделки останутся, но без компании.
duplicates-title = Похоже, такая компания уже есть
duplicates-exact-hint = Откройте её карточку вместо того, чтобы заводить вторую.
duplicates-kept-by = Ответственный — { $name }; вам эта компания не видна. Попросите ответственного или руководителя открыть вам к ней доступ или передать её вам.
duplicates-save-anyway = Всё равно сохранить (это другая организация)
form-stale-hint = Пока вы редактировали, запись сохранил кто-то другой. Ваши изменения остались в форме: проверьте их и сохраните ещё раз.

## Contacts

contacts-add = Добавить контакт
contacts-new = Новый контакт
contacts-edit = Изменение контакта
contacts-search-placeholder = Имя, телефон или эл. почта
contacts-empty-search-hint = Проверьте написание или поищите по телефону или эл. почте.
contacts-no-company = Без компании
contacts-company-search = Найти компанию по названию или ИНН
contacts-company-hint = Начните вводить название или ИНН и выберите компанию из найденных.
contacts-duplicates-title = Контакт с таким телефоном или адресом уже есть
contacts-delete-confirm = Удалить контакт «{ $name }»?
contacts-delete-hint = Его задачи и история звонков удалятся; сделки останутся, но без контакта.

## Record card

crumbs = Путь
delete-confirm-submit = Да, удалить
card-details = Реквизиты
card-timeline = История
card-open-tasks = Открытые задачи
timeline-change = Изменение
timeline-created = Запись создана
timeline-edited = Изменены поля
timeline-deleted = Запись удалена
timeline-owner-changed = Сменился ответственный
timeline-stage-changed = Сделка перешла на другой этап
timeline-system = Система
timeline-task-created = Новая задача: { $title }
timeline-task-done = Задача выполнена: { $title }

## Quick actions on a card

quick-title = Быстрые действия
quick-log = Записать звонок или встречу
quick-task = Поставить задачу
quick-note = Заметка
quick-log-submit = Записать
quick-task-submit = Поставить задачу
quick-note-submit = Сохранить заметку
quick-follow-up = Следующий шаг — задача
quick-follow-up-placeholder = Перезвонить в пятницу
quick-follow-up-default = Связаться снова
quick-contact-none = Не указан
field-note = Заметка
field-task-title = Задача
field-task-due = Срок задачи
notice-activity-logged = Записано в историю.
notice-task-added = Задача поставлена.
notice-note-added = Заметка сохранена.
error-datetime-format = Введите дату и время или выберите их в календаре

## Global search

search-title = Поиск
search-for = По запросу «{ $query }»
search-empty-query = Что найти?
search-empty-query-hint = Введите название, ИНН, КПП, телефон или эл. почту в строке поиска вверху.
search-open-list = Открыть списком
search-all-results = Все результаты по запросу «{ $query }»

# Передача компании и доступ для коллег.
action-transfer-owner = Передать
transfer-new-owner = Новый ответственный
transfer-owner-hint = Прежний ответственный сохранит доступ, только если его права охватывают нового.
notice-owner-changed = Ответственный изменён.
notice-owner-refused = Эту компанию нельзя передать этому пользователю.
notice-contact-owner-refused = Этот контакт нельзя передать этому пользователю.
shares-title = Доступ открыт
shares-none = Ни с кем не поделились.
shares-with = Поделиться с…
shares-add = Поделиться
shares-remove = Убрать
shares-remove-label = Закрыть доступ для { $name }
notice-shared = Доступ к компании открыт.
notice-unshared = Доступ закрыт.
notice-share-refused = Этому пользователю нельзя открыть доступ к компании.
error-share-owner = Ответственный и так видит компанию
field-shared-with = Доступ открыт
list-order = Порядок
list-order-ascending = { $field }: по возрастанию
list-order-descending = { $field }: по убыванию
duplicates-ask-access = Попросить доступ
notice-access-requested = Просьба отправлена ответственному и руководителю: когда вам откроют доступ, компания появится в списке.
notice-call-logged = Звонок записан.
notice-stage-moved = Этап сделки изменён.
notice-closed-with-tasks = Сделка закрыта, её открытые задачи отмечены выполненными.
