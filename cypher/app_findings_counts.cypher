// Number of current (active) findings by kind and triage status, rings and alerts together.
// Parameters: none.
MATCH (f:Ring|Alert)
WHERE coalesce(f.active, true)
RETURN CASE WHEN f:Ring THEN 'ring' ELSE f.kind END AS kind, coalesce(f.status, 'open') AS status, count(*) AS findings
ORDER BY kind, status
