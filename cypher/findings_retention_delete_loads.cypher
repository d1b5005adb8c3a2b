// Findings retention, the load log: delete the (:LoadRun) entries findings_retention_plan_loads chose, unless one
// is running by now. Parameters: $rows = [{element_id}]. Returns nothing (the write counters say how many went).
UNWIND $rows AS row
MATCH (r:LoadRun)
WHERE elementId(r) = row.element_id AND coalesce(r.status, '') <> 'running'
DETACH DELETE r
