# Выгрузки в фоне: страница хода выгрузки и «Мои выгрузки».

exports-title = Выгрузка файла
exports-my-title = Мои выгрузки
exports-kept = Готовые файлы хранятся сутки.
exports-empty = Выгрузок пока нет
exports-list = Список
exports-format = Формат
exports-started = Начата
exports-elapsed = Прошло
exports-state = Состояние
exports-rows = Строки
exports-rows-written = { $count ->
    [one] { $count } строка записана
    [few] { $count } строки записаны
    [many] { $count } строк записано
   *[other] { $count } строки записано
}
exports-rows-total = Всего строк: { $total }
exports-status-running = Выгружается
exports-status-done = Готово
exports-status-failed = Ошибка
exports-status-stopped = Прервана
exports-failed-detail = Выгрузка не удалась: { $error }
exports-stopped-detail = Сервер остановился во время выгрузки. Запустите её ещё раз со страницы списка.
exports-download = Скачать
exports-refresh = Обновить
exports-running-hint = Страницу можно закрыть: файл будет ждать в «Моих выгрузках».
exports-open = Открыть
exports-size-kb = { $count } КБ
