//! Donations (issue 4, workflow 7): money and goods recorded against a
//! campaign by staff on two offline devices, totals on the server, donors'
//! names kept from volunteers, and forbidden or invalid records.

use chrono::Utc;
use volunteer_core::{Error, Gift, Kind, RejectCode};
use volunteer_tests::{TestServer, device, fixture, signed_in};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gifts_recorded_offline_on_two_devices_all_count_in_the_campaign_totals() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let fx = fixture::seed(server.store.as_ref());
    let url = server.url();
    let site = fx.station_a.id.clone();
    let staff1 = signed_in(dir.path(), "staff1", &url, "staff-a").await;
    let campaign = staff1.create_campaign(&site, "抗洪救灾物资募集").unwrap();
    staff1.sync().await.unwrap();
    let staff2 = signed_in(dir.path(), "staff2", &url, "staff-a2").await;
    drop((staff1, staff2));

    let now = Utc::now();
    let one = device(dir.path(), "staff1", "http://127.0.0.1:9");
    let two = device(dir.path(), "staff2", "http://127.0.0.1:9");
    let rice = || Gift::Goods {
        item: "大米".into(),
        quantity: 20,
        unit: "袋".into(),
    };
    one.record_donation(&site, Some(&campaign), Some("李记粮油店"), rice(), now)
        .unwrap();
    one.record_donation(
        &site,
        Some(&campaign),
        None,
        Gift::Money { fen: 50_000 },
        now,
    )
    .unwrap();
    two.record_donation(
        &site,
        Some(&campaign),
        Some("王先生"),
        Gift::Money { fen: 120_000 },
        now,
    )
    .unwrap();
    two.record_donation(&site, Some(&campaign), None, rice(), now)
        .unwrap();
    // Each device shows its own gifts at once.
    assert_eq!(two.campaigns().unwrap()[0].money_fen, 120_000);
    // Invalid and forbidden records are refused on the spot.
    let zero = one.record_donation(&site, Some(&campaign), None, Gift::Money { fen: 0 }, now);
    assert!(matches!(
        zero,
        Err(Error::Rejected {
            code: RejectCode::InvalidInput,
            ..
        })
    ));
    drop((one, two));

    let one = device(dir.path(), "staff1", &url);
    let two = device(dir.path(), "staff2", &url);
    assert_eq!(one.sync().await.unwrap().applied, 2);
    assert_eq!(two.sync().await.unwrap().applied, 2);
    one.sync().await.unwrap();
    for d in [&one, &two] {
        let c = &d.campaigns().unwrap()[0];
        assert_eq!(
            (c.money_fen, c.donation_count),
            (170_000, 4),
            "no device overwrote the other"
        );
        assert_eq!(c.goods.len(), 1);
        assert_eq!(
            (c.goods[0].item.as_str(), c.goods[0].quantity),
            ("大米", 40)
        );
        assert_eq!(d.donations().unwrap().len(), 4);
    }

    // Volunteers see the totals, never the donors.
    let v1 = signed_in(dir.path(), "v1", &url, "v1").await;
    assert_eq!(v1.campaigns().unwrap()[0].money_fen, 170_000);
    assert!(v1.dump(Kind::Donation).unwrap().is_empty());
    let refused = v1.record_donation(&site, Some(&campaign), None, Gift::Money { fen: 100 }, now);
    assert!(matches!(
        refused,
        Err(Error::Rejected {
            code: RejectCode::Forbidden,
            ..
        })
    ));
    let staff_b = signed_in(dir.path(), "staff-b", &url, "staff-b").await;
    assert!(
        staff_b.dump(Kind::Donation).unwrap().is_empty(),
        "another station's donors"
    );
    let elsewhere =
        staff_b.record_donation(&site, Some(&campaign), None, Gift::Money { fen: 100 }, now);
    assert!(matches!(
        elsewhere,
        Err(Error::Rejected {
            code: RejectCode::Forbidden,
            ..
        })
    ));
}

/// Issue 12: a donation corrected on one staff phone and voided on another,
/// both offline: the server takes the first it receives and refuses the
/// second; the totals end as the donations that count, on every device.
/// Goods handed out come off what the campaign holds, never below zero.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_donation_fixed_twice_offline_counts_once_and_handouts_never_overdraw() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let fx = fixture::seed(server.store.as_ref());
    let url = server.url();
    let site = fx.station_a.id.clone();
    let staff1 = signed_in(dir.path(), "staff1", &url, "staff-a").await;
    let campaign = staff1.create_campaign(&site, "冬衣募集").unwrap();
    let now = Utc::now();
    let typo = staff1
        .record_donation(
            &site,
            Some(&campaign),
            Some("张三"),
            Gift::Money {
                fen: 100_000_000_000,
            },
            now,
        )
        .unwrap();
    staff1
        .record_donation(
            &site,
            Some(&campaign),
            None,
            Gift::Goods {
                item: "棉被".into(),
                quantity: 10,
                unit: "床".into(),
            },
            now,
        )
        .unwrap();
    staff1.sync().await.unwrap();
    let staff2 = signed_in(dir.path(), "staff2", &url, "staff-a2").await;
    drop((staff1, staff2));

    let one = device(dir.path(), "staff1", "http://127.0.0.1:9");
    let two = device(dir.path(), "staff2", "http://127.0.0.1:9");
    one.correct_donation(
        &typo,
        Gift::Money { fen: 100_000 },
        Some("张三"),
        "多录了六个零",
    )
    .unwrap();
    two.void_donation(&typo, "重复录入").unwrap();
    assert_eq!(
        one.campaigns().unwrap()[0].money_fen,
        100_000,
        "shown at once"
    );
    drop((one, two));

    let one = device(dir.path(), "staff1", &url);
    let two = device(dir.path(), "staff2", &url);
    one.sync().await.unwrap();
    two.sync().await.unwrap();
    let refused = two.rejections().unwrap();
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].code, RejectCode::InvalidState);
    one.sync().await.unwrap();
    for d in [&one, &two] {
        let c = &d.campaigns().unwrap()[0];
        assert_eq!((c.money_fen, c.donation_count), (100_000, 2));
        let kept = d
            .donations()
            .unwrap()
            .into_iter()
            .find(|x| x.id == typo)
            .unwrap();
        assert_eq!(
            kept.gift,
            Gift::Money {
                fen: 100_000_000_000
            },
            "kept as recorded"
        );
        assert!(kept.superseded_by.is_some() && !kept.voided);
    }

    // Handing out goods: 6 of 10, then 5 more is refused by the server (a
    // device takes it: its totals may be stale, and only the server knows).
    one.distribute_goods(&campaign, ("棉被", 6, "床"), "幸福里敬老院", now)
        .unwrap();
    one.sync().await.unwrap();
    two.sync().await.unwrap();
    two.distribute_goods(&campaign, ("棉被", 5, "床"), "和平小区困难户", now)
        .unwrap();
    two.sync().await.unwrap();
    assert!(
        two.rejections()
            .unwrap()
            .iter()
            .any(|r| r.code == RejectCode::InvalidInput),
        "more than the campaign holds"
    );
    let c = &two.campaigns().unwrap()[0];
    assert_eq!((c.goods[0].quantity, c.distributed[0].quantity), (10, 6));
    assert_eq!(two.distributions().unwrap().len(), 1);
}
