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
