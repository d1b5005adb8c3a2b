// Firms that won the most tenders, per category: wins, total awarded amount and share of the category's awards.
// Parameters: $category (string, or null for every category), $limit (int, rows per category, e.g. 5).
MATCH (t:Tender)-[aw:AWARDED_TO]->(f:Firm)
WHERE $category IS NULL OR t.category = $category
WITH t.category AS category, f, count(t) AS wins, sum(coalesce(aw.amount, 0.0)) AS awarded
ORDER BY category, wins DESC, f.id
WITH category, collect({firm_id: f.id, name: f.name, wins: wins, awarded: awarded}) AS firms, sum(wins) AS all_wins
UNWIND firms[..$limit] AS row
RETURN category, row.firm_id AS firm_id, row.name AS name, row.wins AS wins, row.awarded AS awarded,
       round(100.0 * row.wins / all_wins, 1) AS win_share_pct
ORDER BY category, wins DESC
