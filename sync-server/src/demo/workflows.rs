//! One example of each workflow around the demo accounts: orders in every
//! state, a call-out, a campaign with donations, drafts, a waitlist, a
//! corrected attendance and reviewed hours.

use super::*;

/// Residents of the demo station and their orders, one in each state of the
/// closed loop; `resident1` signs in.
pub(super) fn seed_orders(
    store: &dyn Storage,
    rng: &mut Rng,
    now: DateTime<Utc>,
    station: &Site,
    volunteer: &NewUser,
) -> Result<(), StoreError> {
    // Residents belong to the station that serves them: its staff manage
    // their accounts and take their orders by phone.
    let resident = NewUser::new("resident1", Some(DEMO_PASSWORD), Role::Resident, "孙桂兰")
        .at_site(&station.id);
    let mut neighbour =
        NewUser::new("13900000002", None, Role::Resident, "钱建国").at_site(&station.id);
    neighbour.phone = Some("13900000002".into());
    store.create_users(&[resident.clone(), neighbour.clone()], now)?;
    let wanted = [
        ("助老", "帮忙代购一周的药品", OrderStatus::Submitted),
        ("维修", "楼道灯不亮，需要更换", OrderStatus::Dispatched),
        ("陪伴", "周末陪老人去公园散步", OrderStatus::Accepted),
        ("清洁", "帮忙打扫厨房油烟机", OrderStatus::Rated),
    ];
    let mut records = Vec::new();
    for (i, (category, description, status)) in wanted.into_iter().enumerate() {
        let who = if i % 2 == 0 { &resident } else { &neighbour };
        let id = rng.uuid();
        let assigned = status != OrderStatus::Submitted;
        let created_at = now - Duration::hours(6 * (i as i64 + 1));
        let rated = status == OrderStatus::Rated;
        let order = ServiceOrder {
            id: id.clone(),
            requester_id: who.id.clone(),
            requester_name: who.display_name.clone(),
            site_id: station.id.clone(),
            category: category.into(),
            description: description.into(),
            desired_at: Some(now + Duration::days(1)),
            status,
            created_at,
            assignee_team_id: None,
            assignee_volunteer_id: assigned.then(|| volunteer.id.clone()),
            dispatched_by: None,
            dispatched_at: assigned.then_some(created_at + Duration::hours(1)),
            declined_reason: None,
            declined_by_team_id: None,
            declined_by_volunteer_id: None,
            accepted_at: rated.then_some(created_at + Duration::hours(1)),
            done_at: rated.then_some(created_at + Duration::hours(3)),
            rating: (status == OrderStatus::Rated).then_some(5),
            comment: (status == OrderStatus::Rated).then(|| "志愿者很耐心，谢谢！".to_owned()),
            offer: u32::from(assigned),
            reason: None,
            placed_by: None,
            served_by: if rated {
                vec![volunteer.id.clone()]
            } else {
                vec![]
            },
            project_id: None,
        };
        // The completed order's service record waits for the station's review.
        if rated {
            records.push(Record::HourEntry(HourEntry {
                id: HourEntry::order_key(&id, &volunteer.id),
                volunteer_id: volunteer.id.clone(),
                activity_id: None,
                site_id: Some(station.id.clone()),
                source: HourSource::Order,
                status: HourStatus::Pending,
                started_at: created_at + Duration::hours(2),
                minutes: 60,
                description: format!("{category}：{description}"),
                recorded_by: volunteer.id.clone(),
                team_id: None,
                reviewed_by: None,
                reviewed_at: None,
                reason: None,
                corrects: None,
                superseded_by: None,
                history: vec![],
                order_id: Some(id.clone()),
                rating: order.rating,
                recorded_at: order.done_at,
                due_by: None,
                late: false,
                place: Some(station.name.clone()),
                organiser: Some(station.name.clone()),
                lead: None,
            }));
        }
        let contact = OrderContact {
            order_id: id,
            requester_id: who.id.clone(),
            site_id: station.id.clone(),
            phone: format!("1390000{:04}", 1 + i),
            address: format!("幸福里小区{}栋{}单元", 2 + i, 1 + i % 3),
            assignee_team_id: None,
            assignee_volunteer_id: None,
        };
        let open = status != OrderStatus::Rated;
        if open && assigned {
            records.push(Record::OrderContact(OrderContact {
                assignee_volunteer_id: order.assignee_volunteer_id.clone(),
                ..contact.clone()
            }));
        }
        if open {
            records.push(Record::OrderContact(contact));
        }
        records.push(Record::ServiceOrder(order));
    }
    store.put_records(&records)
}

/// An open call-out at the demo station, and a donation campaign of the
/// center with gifts of money and goods, named and anonymous.
pub(super) fn seed_callout_and_donations(
    store: &dyn Storage,
    rng: &mut Rng,
    now: DateTime<Utc>,
    center: &Site,
    station: &Site,
    staff_id: &str,
) -> Result<(), StoreError> {
    let starts_at = now + Duration::hours(3);
    let callout = Activity {
        description: "需要6名志愿者今晚协助巡查，带好雨具和手电".into(),
        status: ActivityStatus::Published,
        created_by: Some(staff_id.to_owned()),
        callout: true,
        published: true,
        ..Activity::new(
            rng.uuid(),
            &station.id,
            "暴雨预警：河堤巡查紧急集结",
            starts_at,
            starts_at + Duration::hours(4),
            6,
        )
    };
    let mut campaign = Campaign {
        id: rng.uuid(),
        site_id: center.id.clone(),
        name: "2026年冬季暖心物资募集".into(),
        money_fen: 0,
        goods: vec![],
        donation_count: 0,
        distributed: vec![],
    };
    let gifts = [
        (Some("青川区爱心企业联合会"), Gift::Money { fen: 5_000_000 }),
        (None, Gift::Money { fen: 20_000 }),
        (
            Some("李记粮油店"),
            Gift::Goods {
                item: "大米".into(),
                quantity: 50,
                unit: "袋".into(),
            },
        ),
        (
            None,
            Gift::Goods {
                item: "棉被".into(),
                quantity: 30,
                unit: "床".into(),
            },
        ),
    ];
    let mut records = vec![Record::Activity(callout)];
    for (i, (donor, gift)) in gifts.into_iter().enumerate() {
        campaign.donation_count += 1;
        match &gift {
            Gift::Money { fen } => campaign.money_fen += fen,
            Gift::Goods {
                item,
                quantity,
                unit,
            } => campaign.goods.push(GoodsTotal {
                item: item.clone(),
                unit: unit.clone(),
                quantity: u64::from(*quantity),
            }),
        }
        records.push(Record::Donation(Donation {
            campaign_id: Some(campaign.id.clone()),
            donor_name: donor.map(str::to_owned),
            ..Donation::new(
                rng.uuid(),
                &center.id,
                gift,
                now - Duration::days(7 - i as i64),
                staff_id,
            )
        }));
    }
    records.insert(0, Record::Campaign(campaign));
    store.put_records(&records)
}

/// What `examples` adds to.
pub(super) struct Examples<'a> {
    pub(super) rng: &'a mut Rng,
    pub(super) now: DateTime<Utc>,
    pub(super) station: &'a Site,
    pub(super) staff_id: &'a str,
    pub(super) volunteers: &'a [NewUser],
    pub(super) teams: &'a [Team],
    pub(super) activities: &'a mut Vec<Activity>,
    pub(super) signups: &'a mut Vec<Signup>,
    pub(super) attendance: &'a mut Vec<Attendance>,
    pub(super) hours: &'a mut Vec<HourEntry>,
}

/// One example of each workflow state, around the demo accounts: a draft at
/// the demo station, a full activity with a waitlist, a corrected
/// attendance, and self-reported hours pending, rejected and corrected for
/// the team volunteer3 leads.
pub(super) fn examples(x: &mut Examples<'_>) {
    let hour = x.now.duration_trunc(Duration::hours(1)).unwrap_or(x.now);
    let activity = |id: String, title: &str, starts_at: DateTime<Utc>, capacity, status| Activity {
        description: format!("{}组织的{}", x.station.name, title),
        status,
        signup_deadline: Some(starts_at - Duration::hours(12)),
        waitlist: true,
        created_by: Some(x.staff_id.to_owned()),
        credit_rounding_minutes: 15,
        published: status != ActivityStatus::Draft,
        ..Activity::new(
            id,
            &x.station.id,
            title,
            starts_at,
            starts_at + Duration::hours(2),
            capacity,
        )
    };
    let draft = activity(
        x.rng.uuid(),
        "重阳节敬老宴筹备会",
        hour + Duration::days(10),
        30,
        ActivityStatus::Draft,
    );
    let mut full = activity(
        x.rng.uuid(),
        "老年人智能手机课堂",
        hour + Duration::days(3),
        2,
        ActivityStatus::Published,
    );
    for (i, v) in x.volunteers.iter().skip(10).take(5).enumerate() {
        let waiting = i >= 2;
        if waiting {
            full.waitlist_next += 1;
            full.waitlist_count += 1;
        } else {
            full.signup_count += 1;
        }
        x.signups.push(Signup {
            activity_id: full.id.clone(),
            volunteer_id: v.id.clone(),
            volunteer_name: v.display_name.clone(),
            site_id: full.site_id.clone(),
            signed_up_at: hour - Duration::hours(10 - i as i64),
            status: if waiting {
                SignupStatus::Waitlisted
            } else {
                SignupStatus::Confirmed
            },
            position: if waiting { full.waitlist_next } else { 0 },
            team_id: full.team_id.clone(),
        });
    }
    x.activities.push(draft);
    x.activities.push(full);

    // A corrected attendance: the first recorded one, five minutes later.
    if let Some(a) = x.attendance.first_mut() {
        a.corrections.push(AttendanceCorrection {
            at: x.now - Duration::days(1),
            by: x.staff_id.to_owned(),
            reason: "签到时间录入有误".into(),
            previous_in: Some(a.checked_in_at),
            previous_out: a.checked_out_at,
        });
        a.checked_in_at += Duration::minutes(5);
        // The hours follow from the corrected times, by the rule itself.
        let key = HourEntry::attendance_key(&a.activity_id, &a.volunteer_id);
        let activity = x.activities.iter().find(|act| act.id == a.activity_id);
        if let (Some(h), Some(act)) = (x.hours.iter_mut().find(|h| h.id == key), activity)
            && let Some(derived) = HourEntry::for_attendance(act, a)
        {
            *h = derived;
        }
    }

    // Self-reports for the first team volunteer3 leads.
    let Some(team) = x.teams.iter().find(|t| t.site_id == x.station.id) else {
        return;
    };
    let entry = |id: String, v: &NewUser, minutes, status, days| HourEntry {
        id,
        volunteer_id: v.id.clone(),
        activity_id: None,
        site_id: Some(team.site_id.clone()),
        source: HourSource::SelfReport,
        status,
        started_at: hour - Duration::days(days),
        minutes,
        description: "社区助老上门服务".into(),
        recorded_by: v.id.clone(),
        team_id: Some(team.id.clone()),
        reviewed_by: None,
        reviewed_at: None,
        reason: None,
        corrects: None,
        superseded_by: None,
        history: vec![],
        order_id: None,
        rating: None,
        recorded_at: None,
        due_by: None,
        late: false,
        place: None,
        organiser: None,
        lead: None,
    };
    let (v1, v2) = (&x.volunteers[0], &x.volunteers[1]);
    x.hours
        .push(entry(x.rng.uuid(), v1, 90, HourStatus::Pending, 2));
    let mut refused = entry(x.rng.uuid(), v2, 480, HourStatus::Rejected, 5);
    refused.reason = Some("与活动签到记录不符".into());
    refused.reviewed_by = Some(x.volunteers[2].id.clone());
    x.hours.push(refused);
    let (old_id, new_id) = (x.rng.uuid(), x.rng.uuid());
    let mut old = entry(old_id.clone(), v1, 120, HourStatus::Superseded, 9);
    old.superseded_by = Some(new_id.clone());
    let mut new = entry(new_id, v1, 100, HourStatus::Confirmed, 9);
    new.corrects = Some(old_id);
    new.reason = Some("实际服务时长为一小时四十分".into());
    new.reviewed_by = Some(x.volunteers[2].id.clone());
    x.hours.push(old);
    x.hours.push(new);
}
