//! Appointment slots customers may pick in the portal: the organisation's
//! bookable hours, Monday to Friday, cut into equal slots, less those that
//! start too soon or overlap a booked job.

use super::branding::PortalSettings;
use crate::Invalid;
use chrono::{DateTime, Datelike, Duration, NaiveTime, Utc, Weekday};
use serde::Serialize;
use utoipa::ToSchema;

/// A slot must start at least this long from now, so someone can plan it.
pub const LEAD_TIME: Duration = Duration::hours(2);
/// How far ahead slots are offered.
pub const HORIZON_DAYS: i64 = 14;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Slot {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Slot {
    fn overlaps(&self, (start, end): (DateTime<Utc>, DateTime<Utc>)) -> bool {
        self.start < end && start < self.end
    }
}

/// The bookable slots from `now` to [`HORIZON_DAYS`] ahead. `booked` are
/// the start and end of jobs already in the calendar.
pub fn open_slots(
    hours: &PortalSettings,
    now: DateTime<Utc>,
    booked: &[(DateTime<Utc>, DateTime<Utc>)],
) -> Vec<Slot> {
    let length = Duration::minutes(hours.slot_minutes.max(15));
    let earliest = now + LEAD_TIME;
    let mut slots = Vec::new();
    for offset in 0..=HORIZON_DAYS {
        let day = (now + Duration::days(offset)).date_naive();
        if matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            continue;
        }
        let midnight = day.and_time(NaiveTime::MIN).and_utc();
        let open = midnight + Duration::hours(hours.day_start_hour);
        let close = midnight + Duration::hours(hours.day_end_hour);
        let mut start = open;
        while start + length <= close {
            let slot = Slot {
                start,
                end: start + length,
            };
            if slot.start >= earliest && !booked.iter().any(|b| slot.overlaps(*b)) {
                slots.push(slot);
            }
            start += length;
        }
    }
    slots
}

/// The open slot that starts at `start`, or a 422 naming `slot`.
pub fn pick(
    hours: &PortalSettings,
    now: DateTime<Utc>,
    booked: &[(DateTime<Utc>, DateTime<Utc>)],
    start: DateTime<Utc>,
) -> Result<Slot, Invalid> {
    open_slots(hours, now, booked)
        .into_iter()
        .find(|s| s.start == start)
        .ok_or_else(|| {
            Invalid::field(
                "slot",
                "is not an open time any more; pick one of the times offered",
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn monday_7am() -> DateTime<Utc> {
        // 2026-03-02 is a Monday.
        Utc.with_ymd_and_hms(2026, 3, 2, 7, 0, 0).unwrap()
    }

    fn at(d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, d, h, 0, 0).unwrap()
    }

    #[test]
    fn weekdays_are_cut_into_slots_after_the_lead_time() {
        let hours = PortalSettings::default(); // 8–17, two hours
        let slots = open_slots(&hours, monday_7am(), &[]);
        // Monday 8:00 starts within two hours of 7:00.
        assert_eq!(slots[0].start, at(2, 10));
        assert_eq!(slots[0].end, at(2, 12));
        let monday: Vec<_> = slots.iter().filter(|s| s.start.day() == 2).collect();
        // 10, 12, 14 (16–18 would end after 17).
        assert_eq!(monday.len(), 3);
        assert!(
            slots
                .iter()
                .all(|s| !matches!(s.start.weekday(), Weekday::Sat | Weekday::Sun))
        );
        assert!(
            slots
                .iter()
                .all(|s| s.start < monday_7am() + Duration::days(15))
        );
    }

    #[test]
    fn booked_jobs_take_their_slots() {
        let hours = PortalSettings::default();
        let booked = [(at(2, 11), at(2, 12)), (at(3, 8), at(3, 17))];
        let slots = open_slots(&hours, monday_7am(), &booked);
        assert!(!slots.iter().any(|s| s.start == at(2, 10)));
        assert!(slots.iter().any(|s| s.start == at(2, 12)));
        assert!(!slots.iter().any(|s| s.start.day() == 3));
    }

    #[test]
    fn picking_needs_an_open_slot() {
        let hours = PortalSettings::default();
        assert_eq!(
            pick(&hours, monday_7am(), &[], at(2, 12)).unwrap().end,
            at(2, 14)
        );
        for bad in [at(2, 11), at(2, 8), at(7, 10)] {
            let e = pick(&hours, monday_7am(), &[], bad).unwrap_err();
            assert_eq!(e.0[0].field, "slot");
        }
    }

    #[test]
    fn a_day_may_end_at_midnight() {
        let hours = PortalSettings {
            day_start_hour: 20,
            day_end_hour: 24,
            slot_minutes: 240,
            ..PortalSettings::default()
        };
        let slots = open_slots(&hours, monday_7am(), &[]);
        assert_eq!(slots[0].start, at(2, 20));
        assert_eq!(slots[0].end, at(3, 0));
    }
}
