-- Opening hours of sites: the weekly schedule and exceptions by local date, kept as the JSON
-- the API validated (domain/schedule.c parses it). Both go with their site.
CREATE TABLE site_opening_hours (
  site_id TEXT PRIMARY KEY REFERENCES sites(id) ON DELETE CASCADE,
  weekly_json TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE site_opening_hours_exceptions (
  site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  date TEXT NOT NULL, -- local date YYYY-MM-DD
  intervals_json TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (site_id, date)
) WITHOUT ROWID;
