-- A function body with semicolons at line ends, as a real migration may hold.
CREATE TABLE fixture_counts (n int NOT NULL);

CREATE FUNCTION fixture_bump(by int) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
  total int;
BEGIN
  INSERT INTO fixture_counts (n) VALUES (by);
  SELECT sum(n) INTO total FROM fixture_counts;
  RETURN total;
END;
$$;

INSERT INTO fixture_counts (n) VALUES (1);
