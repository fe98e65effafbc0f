-- Lead CSV imports (issue 7): each imported lead carries its import, so a
-- finished import can be reverted as a whole; leads carry tags as
-- customers do.
ALTER TABLE leads ADD COLUMN import_id uuid;
CREATE INDEX leads_org_import ON leads(org_id, import_id) WHERE import_id IS NOT NULL;
CREATE TABLE lead_tags (
    org_id uuid NOT NULL REFERENCES orgs(id),
    lead_id uuid NOT NULL REFERENCES leads(id),
    tag_id uuid NOT NULL REFERENCES tags(id),
    added_at timestamptz NOT NULL,
    PRIMARY KEY (org_id, lead_id, tag_id)
);
-- Leads carrying a tag.
CREATE INDEX lead_tags_tag ON lead_tags(org_id, tag_id, lead_id);
