-- Each contact's phones (E.164) and e-mails (lowercased), one row each, for exact lookups:
-- a web form's request finding its person, the duplicate check before a save, a whole phone
-- typed into the search. The trigram search finds fragments; a whole key needs no scan of
-- every contact sharing its digits. Written by `contacts::insert|update` and the bulk loader.
-- PostgreSQL dialect; keep in step with ../sqlite/0027_contact_keys.sql.
CREATE TABLE contact_keys (
    key TEXT NOT NULL,
    contact_id BIGINT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    PRIMARY KEY (key, contact_id)
);

-- A contact's delete cascades here by its id.
CREATE INDEX contact_keys_contact ON contact_keys (contact_id);

-- The contacts already saved: their comma-separated lists split item by item.
INSERT INTO contact_keys (key, contact_id)
SELECT DISTINCT trim(item), id
FROM contacts, unnest(string_to_array(phones || ',' || emails, ',')) AS item
WHERE trim(item) <> '';
