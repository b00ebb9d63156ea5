-- Schema 2: list a kind's records in id order straight from the index (no sort), and read
-- one record by kind and id without a scan.
DROP INDEX records_by_kind;
CREATE INDEX records_by_kind_and_id ON records (kind, record_id);
