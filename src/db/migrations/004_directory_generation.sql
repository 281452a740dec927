-- Advanced by every change to the directory or the tokens: the serving caches of principals and scopes key on it.
CREATE SEQUENCE directory_generation;
