-- Gzipped report files (issue 14, "fast at enterprise scale"): the first gzip download of a users or user-teams
-- file stores the bytes it sent, in parts of 256 KiB as base64 text (PGlite hands a bytea column back as hex text
-- decoded in JavaScript), and later downloads of the same file send them as they are instead of reading every
-- record and compressing them again. `version` is the processing generations of the file's days, so a day
-- processed again gives its files a new version (never stale bytes); part -1 marks a complete file.
CREATE TABLE report_file_gzip (
  name text NOT NULL,
  version text NOT NULL,
  part int NOT NULL,
  first_day date NOT NULL,
  last_day date NOT NULL,
  bytes text NOT NULL,
  PRIMARY KEY (name, version, part)
);
CREATE INDEX report_file_gzip_days ON report_file_gzip (last_day, first_day);
