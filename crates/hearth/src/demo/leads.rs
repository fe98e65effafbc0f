//! The demo business's sales pipeline: leads on every stage, a few of them
//! hot, and the web form its site would use.

use hearth_domain::OrgId;
use hearth_domain::history::Actor;
use hearth_domain::leads::form::LeadFormInput;
use hearth_domain::leads::score::SignalKind;
use hearth_domain::leads::{LeadInput, LeadSource};
use hearth_store::leads::{self, forms, pipelines, signals};
use hearth_store::{Conn, Result};

/// (first, last, business, stage, value in dollars, source, signals, lost reason)
type DemoLead = (
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
    i64,
    LeadSource,
    &'static [SignalKind],
    Option<&'static str>,
);

const LEADS: &[DemoLead] = &[
    (
        "Rosa",
        "Diaz",
        None,
        "New",
        8_900,
        LeadSource::WebForm,
        &[SignalKind::FormSubmission, SignalKind::WebsiteVisit],
        None,
    ),
    (
        "Tom",
        "Becker",
        None,
        "New",
        450,
        LeadSource::Phone,
        &[SignalKind::InboundCall],
        None,
    ),
    (
        "Priya",
        "Nair",
        None,
        "New",
        12_500,
        LeadSource::WebForm,
        &[
            SignalKind::FormSubmission,
            SignalKind::InboundCall,
            SignalKind::QuoteViewed,
        ],
        None,
    ),
    (
        "Owen",
        "Clarke",
        Some("Clarke Dental"),
        "New",
        18_000,
        LeadSource::Referral,
        &[],
        None,
    ),
    (
        "Lena",
        "Ortiz",
        None,
        "Contacted",
        6_200,
        LeadSource::Chat,
        &[SignalKind::Chat, SignalKind::EmailOpen],
        None,
    ),
    (
        "Marcus",
        "Hill",
        None,
        "Contacted",
        3_100,
        LeadSource::Manual,
        &[SignalKind::EmailOpen],
        None,
    ),
    (
        "Grace",
        "Yu",
        None,
        "Contacted",
        9_800,
        LeadSource::Whatsapp,
        &[
            SignalKind::Chat,
            SignalKind::EmailClick,
            SignalKind::InboundCall,
        ],
        None,
    ),
    (
        "Sam",
        "Price",
        Some("Price Property Mgmt"),
        "Quoted",
        42_000,
        LeadSource::Referral,
        &[
            SignalKind::QuoteViewed,
            SignalKind::QuoteViewed,
            SignalKind::InboundCall,
            SignalKind::EmailClick,
        ],
        None,
    ),
    (
        "Nina",
        "Park",
        None,
        "Quoted",
        7_400,
        LeadSource::WebForm,
        &[SignalKind::FormSubmission, SignalKind::QuoteViewed],
        None,
    ),
    (
        "Ali",
        "Haddad",
        None,
        "Quoted",
        5_250,
        LeadSource::Phone,
        &[SignalKind::QuoteViewed],
        None,
    ),
    (
        "Beth",
        "Moore",
        None,
        "Follow-up",
        11_300,
        LeadSource::WebForm,
        &[
            SignalKind::FormSubmission,
            SignalKind::QuoteViewed,
            SignalKind::EmailOpen,
        ],
        None,
    ),
    (
        "Carl",
        "Jensen",
        None,
        "Follow-up",
        2_800,
        LeadSource::Other,
        &[SignalKind::EmailOpen],
        None,
    ),
    (
        "Ivy",
        "Chen",
        None,
        "Won",
        14_900,
        LeadSource::Referral,
        &[SignalKind::QuoteViewed],
        None,
    ),
    (
        "Raj",
        "Patel",
        None,
        "Won",
        6_600,
        LeadSource::WebForm,
        &[SignalKind::FormSubmission],
        None,
    ),
    (
        "Zoe",
        "Adams",
        None,
        "Lost",
        9_100,
        LeadSource::WebForm,
        &[],
        Some("Price"),
    ),
    (
        "Hank",
        "Ruiz",
        None,
        "Lost",
        4_300,
        LeadSource::Phone,
        &[],
        Some("Went with a competitor"),
    ),
];

pub async fn load(c: &mut Conn, org: OrgId, region: &str, actor: &Actor) -> Result<()> {
    let pipeline = pipelines::default_pipeline(c, org, actor).await?;
    let stage = |name: &str| {
        pipeline
            .stages
            .iter()
            .find(|s| s.name == name)
            .map(|s| s.id)
    };
    for (i, &(first, last, business, stage_name, dollars, source, kinds, lost)) in
        LEADS.iter().enumerate()
    {
        let input = LeadInput {
            first_name: Some(first.to_string()),
            last_name: Some(last.to_string()),
            business_name: business.map(str::to_string),
            email: Some(format!(
                "{}.{}@example.com",
                first.to_lowercase(),
                last.to_lowercase()
            )),
            phone: Some(format!("(512) 555-{:04}", 2100 + i)),
            service_address: Some(format!("{} Cedar Ln, Austin TX", 100 + i * 7)),
            source: Some(source),
            value_minor: Some(dollars * 100),
            stage_id: stage(stage_name),
            lost_reason: lost.map(str::to_string),
            notes: Some("Asked for a quote on a new system.".to_string()).filter(|_| i % 3 == 0),
            ..Default::default()
        };
        let lead = leads::create(c, org, region, actor, &input).await?;
        for &kind in kinds {
            signals::add(c, org, lead.id, kind, hearth_store::orgs::now()).await?;
        }
    }
    forms::create(
        c,
        org,
        actor,
        &LeadFormInput {
            name: "Website contact form".to_string(),
            pipeline_id: Some(pipeline.id),
            allowed_origins: vec![],
            redirect_url: None,
        },
    )
    .await?;
    Ok(())
}
