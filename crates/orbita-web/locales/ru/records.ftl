# Messages shared by the record pages.

error-company-unknown = Выберите компанию из доступных вам
error-contact-unknown = Выберите контакт из доступных вам
error-deal-unknown = Выберите сделку из доступных вам
error-user-unknown = Такого пользователя нет
error-user-inactive = Пользователь отключён
