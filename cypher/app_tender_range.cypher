// How many tenders are loaded and the date range of their publication.
// Parameters: none.
MATCH (t:Tender)
RETURN count(t) AS tenders, toString(min(t.published_at)) AS first_published,
       toString(max(t.published_at)) AS last_published
