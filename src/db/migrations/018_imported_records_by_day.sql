-- Every read of imported_records is by day (processing overlays a day's records, retention drops days before one):
-- with day leading the primary key, that key serves them and the separate day index goes. An import wrote three
-- index entries per record and now writes two (issue 17, "import ≥ 20,000 records/s on PostgreSQL"). `ON CONFLICT
-- (scope, day, login)` infers the key by its set of columns, whatever their order.
ALTER TABLE imported_records DROP CONSTRAINT imported_records_pkey;
ALTER TABLE imported_records ADD PRIMARY KEY (day, scope, login);
DROP INDEX imported_records_day;
