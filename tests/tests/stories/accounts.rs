//! Issue 12, onboarding through the real server (SQLite, and PostgreSQL in
//! CI): a volunteer registers from the app; staff make an account for an
//! elder who will not, and hand over an activation code; a forgotten
//! password is reset with a code; an account switched off loses its
//! sessions, and its phone resets at the next sync.

use volunteer_core::{AccountStatus, Error, Kind, Record, Role, TERMS_VERSION};
use volunteer_sync_server::Storage;
use volunteer_tests::{TestServer, device, fixture, signed_in};

fn account(store: &dyn Storage, user_id: &str) -> volunteer_core::Account {
    store
        .records(Kind::Account)
        .unwrap()
        .into_iter()
        .find_map(|r| match r {
            Record::Account(a) if a.user_id == user_id => Some(a),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no account {user_id}"))
}

fn server_code(e: &Error) -> &str {
    match e {
        Error::Server { code, .. } => code,
        other => panic!("expected a server error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_volunteer_registers_with_a_phone_nobody_else_has() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    fixture::seed(server.store.as_ref());
    let phone = device(dir.path(), "phone", &server.url());
    let me = phone
        .register("陈晓", "+86 139 1234 0001", "sunny-day-42", TERMS_VERSION)
        .await
        .unwrap();
    assert_eq!(me.role, Role::Volunteer);
    assert_eq!(me.phone.as_deref(), Some("13912340001"));
    phone.sync().await.unwrap();
    let a = account(server.store.as_ref(), &me.user_id);
    assert_eq!(a.status, AccountStatus::Active);
    assert_eq!(a.consent_version.as_deref(), Some(TERMS_VERSION));
    assert!(a.consent_at.is_some() && a.created_by.is_none());
    assert_eq!(a.phone_masked.as_deref(), Some("139****0001"));

    // The same phone again, however written: refused; so are old terms.
    let other = device(dir.path(), "other", &server.url());
    let e = other
        .register("陈晓", "139-1234-0001", "another-pass", TERMS_VERSION)
        .await
        .unwrap_err();
    assert_eq!(server_code(&e), "phone_taken");
    let e = other
        .register("王五", "13912340002", "another-pass", "2020-01")
        .await
        .unwrap_err();
    assert_eq!(server_code(&e), "bad_request");
    // The phone is the login.
    let again = device(dir.path(), "again", &server.url());
    again.sign_in("13912340001", "sunny-day-42").await.unwrap();
}

#[tokio::test]
async fn staff_make_an_account_and_its_owner_activates_it_with_a_code_once() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let store = server.store.as_ref();
    let fx = fixture::seed(store);
    let staff = signed_in(dir.path(), "staff", &server.url(), "staff-a").await;
    let elder = staff
        .create_account(Role::Volunteer, &fx.station_a.id, "张桂英", "13912340003")
        .unwrap();
    staff.sync().await.unwrap();
    assert_eq!(account(store, &elder).status, AccountStatus::Pending);
    assert!(
        staff.accounts().unwrap().iter().any(|a| a.user_id == elder),
        "staff see the accounts of their site"
    );
    // Nobody signs in before activation.
    let phone = device(dir.path(), "elder", &server.url());
    assert!(phone.sign_in("13912340003", "").await.is_err());

    // Staff of another station may not issue its code; staff-a may.
    let other = signed_in(dir.path(), "staff-b", &server.url(), "staff-b").await;
    let e = other.issue_access_code(&elder).await.unwrap_err();
    assert_eq!(server_code(&e), "forbidden");
    let code = staff.issue_access_code(&elder).await.unwrap();
    assert_eq!(code.purpose, "activation");

    // Activation needs the terms; a wrong code counts against it.
    let e = phone
        .sign_in_with_code("13912340003", &code.code, "my-own-pass", None)
        .await
        .unwrap_err();
    assert_eq!(server_code(&e), "bad_request");
    assert!(matches!(
        phone
            .sign_in_with_code(
                "13912340003",
                "AAAA-AAAA",
                "my-own-pass",
                Some(TERMS_VERSION)
            )
            .await,
        Err(Error::InvalidInput { .. })
    ));
    let me = phone
        .sign_in_with_code(
            "139 1234 0003",
            &code.code.to_lowercase(),
            "my-own-pass",
            Some(TERMS_VERSION),
        )
        .await
        .unwrap();
    assert_eq!(me.user_id, elder);
    // Neither the code nor the password is stored as given: not in the
    // server's database file, nor in its write-ahead log.
    for file in ["server.db", "server.db-wal"] {
        let bytes = std::fs::read(dir.path().join(file)).unwrap_or_default();
        for secret in [code.code.as_str(), "my-own-pass"] {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{secret} is in {file}"
            );
        }
    }
    let a = account(store, &elder);
    assert_eq!(a.status, AccountStatus::Active);
    assert!(a.activated_at.is_some() && a.consent_version.is_some());
    // Used once: the same code again is refused.
    let later = device(dir.path(), "later", &server.url());
    assert!(
        later
            .sign_in_with_code(
                "13912340003",
                &code.code,
                "other-pass1",
                Some(TERMS_VERSION)
            )
            .await
            .is_err()
    );
    later.sign_in("13912340003", "my-own-pass").await.unwrap();
}

#[tokio::test]
async fn a_code_dies_after_five_wrong_guesses_and_a_reset_ends_old_sessions() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let store = server.store.as_ref();
    let fx = fixture::seed(store);
    let admin = signed_in(dir.path(), "admin", &server.url(), "admin").await;

    // A reset: the phone signed in before must sign in anew.
    let v3 = signed_in(dir.path(), "v3", &server.url(), "v3").await;
    let code = admin.issue_access_code(&fx.id("v3")).await.unwrap();
    assert_eq!(code.purpose, "reset", "an active account gets a reset code");
    let fresh = device(dir.path(), "fresh", &server.url());
    fresh
        .sign_in_with_code("v3", &code.code, "new-pass-123", None)
        .await
        .unwrap();
    assert_eq!(v3.sync().await.unwrap_err(), Error::AuthExpired);
    fresh.sync().await.unwrap();

    // Guessing: after five wrong codes the real one is void (and the
    // login is locked for a while, as after wrong passwords).
    admin.issue_access_code(&fx.id("v1")).await.unwrap();
    assert!(store.access_code("v1").unwrap().is_some());
    let guesser = device(dir.path(), "guesser", &server.url());
    for _ in 0..5 {
        assert!(
            guesser
                .sign_in_with_code("v1", "ZZZZ-ZZZZ", "stolen-pass1", None)
                .await
                .is_err()
        );
    }
    assert!(
        store.access_code("v1").unwrap().is_none(),
        "five wrong guesses void the code"
    );
}

#[tokio::test]
async fn a_deactivated_account_is_signed_out_everywhere_and_its_phone_resets() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let store = server.store.as_ref();
    let fx = fixture::seed(store);
    let staff = signed_in(dir.path(), "staff", &server.url(), "staff-a").await;
    let v2 = signed_in(dir.path(), "v2", &server.url(), "v2").await;
    v2.join_team(&fx.team_a.id).unwrap();
    v2.sync().await.unwrap();
    // v2 has no site; the admin manages such accounts.
    let admin = signed_in(dir.path(), "admin", &server.url(), "admin").await;
    let e = staff.deactivate_account(&fx.id("v2"), "离开本区");
    staff.sync().await.unwrap();
    assert!(e.is_ok(), "queued on the device");
    assert!(
        staff
            .rejections()
            .unwrap()
            .iter()
            .any(|r| r.code == volunteer_core::RejectCode::Forbidden),
        "staff do not manage a self-registered volunteer"
    );
    admin.deactivate_account(&fx.id("v2"), "离开本区").unwrap();
    admin.sync().await.unwrap();
    assert_eq!(
        account(store, &fx.id("v2")).status,
        AccountStatus::Deactivated
    );

    // v2's next sync: told, and the phone holds nothing of v2 any more.
    assert!(matches!(v2.sync().await, Err(Error::AccountDisabled(_))));
    assert_eq!(v2.profile().unwrap(), None);
    assert!(v2.my_memberships().is_err() || v2.my_memberships().unwrap().is_empty());
    assert_eq!(v2.record_counts().unwrap().values().sum::<u64>(), 0);
    let again = device(dir.path(), "v2-again", &server.url());
    assert!(matches!(
        again.sign_in("v2", volunteer_tests::PASSWORD).await,
        Err(Error::AccountDisabled(_))
    ));

    // Switched on again: a fresh sign-in works; the old session stays dead.
    admin.reactivate_account(&fx.id("v2")).unwrap();
    admin.sync().await.unwrap();
    assert_eq!(account(store, &fx.id("v2")).status, AccountStatus::Active);
    again
        .sign_in("v2", volunteer_tests::PASSWORD)
        .await
        .unwrap();
    again.sync().await.unwrap();
}
