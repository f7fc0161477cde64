-- The activities register, newest first, for someone who sees many people's activities (a head
-- of sales: 20 people, ~300,000 of 3M activities on the large data set). From the per-person
-- index the database must gather every one of those rows and sort them to show the first 50:
-- about 1 s on PostgreSQL. Read in time order, it stops after the first 50 that are in scope.
-- A manager's own register keeps using activities_responsible, which is in that order already.
CREATE INDEX activities_occurred ON activities (occurred_at, id);
