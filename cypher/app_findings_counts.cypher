// Number of current (active) findings by kind, triage status and tier (strong/weak for rings and pairs,
// null for the other kinds), rings and alerts together.
// Parameters: none.
MATCH (f:Ring|Alert)
WHERE coalesce(f.active, true)
RETURN CASE WHEN f:Ring THEN 'ring' ELSE f.kind END AS kind, coalesce(f.status, 'open') AS status, f.tier AS tier,
       count(*) AS findings
ORDER BY kind, status, tier
