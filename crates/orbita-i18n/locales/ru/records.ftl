# Messages shared by the record pages.

error-company-unknown = Выберите компанию из доступных вам
error-contact-unknown = Выберите контакт из доступных вам
error-deal-unknown = Выберите сделку из доступных вам
error-user-unknown = Такого пользователя нет
error-user-inactive = Пользователь отключён
tokens-title = Ключи API
tokens-intro = Ключ даёт программам (сайт, телефония, учёт) доступ к API Orbita с вашими правами.
tokens-name = Название
tokens-created-at = Создан
tokens-last-used = Последнее использование
tokens-revoked = Отозван
tokens-revoke = Отозвать
tokens-new = Новый ключ
tokens-create = Создать ключ
tokens-created = Ключ создан
tokens-created-hint = Скопируйте его сейчас: больше он показан не будет.
