/* Video upload reports beyond the raw rows: sums of the camera's hour buckets (video_upload_hours,
 * filled with each report by shared/device.c) and the housekeeping deletes that keep raw reports
 * 48 hours and buckets --upload-metrics-retention-days (jobs/housekeeping.c). */
#include "store/shared/shared_ops.h"

static const char SQL_UPLOAD_HOUR_TOTALS[] =
    "SELECT CAST(COALESCE(SUM(bytes), 0) AS bigint), COALESCE(SUM(seconds), 0.0)"
    " FROM video_upload_hours WHERE camera_id = $1 AND hour_start >= $2 AND hour_start < $3";

static void read_hour_totals(const struct sql_row *row, void *destination)
{
	struct upload_totals *out = destination;
	out->bytes = sql_int64(row, 0);
	out->seconds = sql_double(row, 1);
}

enum store_result shared_upload_hour_totals(struct store *store, const char *camera_id, int64_t from_hour,
                                            int64_t to_hour, struct upload_totals *out)
{
	struct sql_params params = {0};
	sql_param_text(&params, camera_id);
	sql_param_int64(&params, from_hour);
	sql_param_int64(&params, to_hour);
	enum store_result result = sql_get(store, SQL_UPLOAD_HOUR_TOTALS, &params, read_hour_totals, out);
	return result == STORE_NOT_FOUND ? STORE_ERROR : result; /* an aggregate always has a row */
}

/* A batch of old rows. Raw reports are found by their time index and deleted by rowid on SQLite
 * (they have no key). Buckets have no time index (it would repeat each row's camera id): a batch
 * walks the cameras and takes each one's old buckets through the primary key (camera_id,
 * hour_start), cameras in the outer loop (CROSS JOIN on SQLite, LATERAL with an OFFSET 0 fence
 * on PostgreSQL), so that cameras already pruned cost one index probe each. PostgreSQL deletes
 * both by ctid (= ANY of an array, which it reads as a TID scan, where IN (SELECT ...) would join
 * against the whole table). Several nodes pruning at once is harmless: a row another deleted is
 * skipped. */
static const char *const SQL_UPLOAD_REPORT_PRUNE[] = SQL_EACH_DIALECT(
    "DELETE FROM video_uploads WHERE rowid IN (SELECT rowid FROM video_uploads WHERE uploaded_at < $1 LIMIT $2)",
    "DELETE FROM video_uploads WHERE ctid = ANY(ARRAY(SELECT ctid FROM video_uploads WHERE uploaded_at < $1"
    " LIMIT $2))");
static const char *const SQL_UPLOAD_HOUR_PRUNE[] = SQL_EACH_DIALECT(
    "DELETE FROM video_upload_hours WHERE (camera_id, hour_start) IN (SELECT h.camera_id, h.hour_start"
    " FROM cameras c CROSS JOIN video_upload_hours h ON h.camera_id = c.id AND h.hour_start < $1 LIMIT $2)",
    "DELETE FROM video_upload_hours WHERE ctid = ANY(ARRAY(SELECT h.ctid FROM cameras c CROSS JOIN LATERAL"
    " (SELECT ctid FROM video_upload_hours WHERE camera_id = c.id AND hour_start < $1 OFFSET 0) h LIMIT $2))");

/* Runs one counted delete with parameters (before, max_rows). */
static enum store_result prune(struct store *store, const char *sql, int64_t before, unsigned max_rows, long *deleted)
{
	struct sql_params params = {0};
	sql_param_int64(&params, before);
	sql_param_int64(&params, max_rows);
	return sql_write_counted(store, sql, &params, deleted);
}

enum store_result shared_upload_report_prune(struct store *store, int64_t before, unsigned max_rows, long *deleted)
{
	return prune(store, SQL_UPLOAD_REPORT_PRUNE[sql_dialect_of(store)], before, max_rows, deleted);
}

enum store_result shared_upload_hour_prune(struct store *store, int64_t before_hour, unsigned max_rows, long *deleted)
{
	return prune(store, SQL_UPLOAD_HOUR_PRUNE[sql_dialect_of(store)], before_hour, max_rows, deleted);
}
