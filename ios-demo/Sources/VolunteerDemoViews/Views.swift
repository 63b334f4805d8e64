// The SwiftUI screens: they read the view models and forward taps, the same
// screens as the Compose app (android-demo's Screens.kt). Every label comes
// from the models' `Strings` (zh-CN, English). They compile where SwiftUI
// exists (iOS, macOS); on Linux this module is empty and the view models are
// tested on their own.
#if canImport(SwiftUI)
import SwiftUI
import VolunteerCore
import VolunteerDemoModels

/// Sync now, then read the lists again (the banner's button and pull-to-refresh).
public typealias SyncAction = @MainActor () async -> Void

public struct SyncBannerView: View {
    let session: SessionModel
    let sync: SyncAction
    public init(session: SessionModel, sync: @escaping SyncAction) {
        self.session = session
        self.sync = sync
    }
    public var body: some View {
        HStack {
            Text(verbatim: session.banner.text(session.strings)).font(.footnote)
            Spacer()
            Button(session.strings.sync) { Task { await sync() } }
        }
    }
}

public struct SignInView: View {
    let session: SessionModel
    @State private var login = ""
    @State private var password = ""
    public init(session: SessionModel) { self.session = session }
    public var body: some View {
        let s = session.strings
        Form {
            Text(verbatim: s.appName).font(.headline)
            TextField(s.login, text: $login)
            SecureField(s.password, text: $password)
            Button(s.signIn) { Task { await session.signIn(login: login, password: password) } }
            if let m = session.message { Text(verbatim: m).foregroundStyle(.red) }
        }
    }
}

/// The staff desk: what waits to sync, what was refused (resend, discard),
/// today's activities, a roster to tap, walk-ins.
public struct RosterView: View {
    let model: RosterModel
    let sync: SyncAction
    public init(model: RosterModel, sync: @escaping SyncAction) {
        self.model = model
        self.sync = sync
    }
    public var body: some View {
        let s = model.strings
        List {
            if let m = model.message { Text(verbatim: m).foregroundStyle(.red) }
            if !model.pending.isEmpty {
                Section(s.waitingList) {
                    ForEach(model.pending, id: \.seq) { p in Text(verbatim: s.pendingLine(p)) }
                }
            }
            if !model.rejected.isEmpty {
                Section(s.rejected) {
                    ForEach(model.rejected, id: \.seq) { r in
                        HStack {
                            Text(verbatim: s.rejectedLine(r))
                            Spacer()
                            Button(s.resend) { Task { await model.resend(r.seq) } }
                            Button(s.discard) { Task { await model.discard(r.seq) } }
                        }
                    }
                }
            }
            if model.selected == nil {
                Section(s.today) {
                    if model.activities.isEmpty { Text(verbatim: s.noActivities) }
                    ForEach(model.activities, id: \.id) { a in
                        Button {
                            Task { await model.open(a.id) }
                        } label: {
                            Text(verbatim: "\(a.title) · \(a.signupCount)/\(a.capacity)")
                        }
                    }
                }
            } else {
                Section(s.roster) {
                    Button(s.back) { Task { await model.open(nil) } }
                    ForEach(model.roster, id: \.volunteerId) { e in
                        HStack {
                            Text(verbatim: e.volunteerName)
                            Spacer()
                            if e.checkedInAt == nil {
                                Button(s.checkIn) { Task { await model.checkIn(e.volunteerId) } }
                            } else if e.checkedOutAt == nil {
                                Button(s.checkOut) { Task { await model.checkOut(e.volunteerId) } }
                            } else {
                                Text(verbatim: s.checkedIn)
                            }
                        }
                    }
                    ForEach(model.walkIns, id: \.volunteerId) { m in
                        HStack {
                            Text(verbatim: m.volunteerName)
                            Spacer()
                            Button(s.walkIn) { Task { await model.checkIn(m.volunteerId) } }
                        }
                    }
                }
            }
        }
        // Each button of a row takes its own tap (not the whole row's).
        .buttonStyle(.borderless)
        .refreshable { await sync() }
        .task { await model.refresh() }
    }
}

/// Staff: the hours waiting for review, approved or rejected.
public struct ReviewView: View {
    let model: ReviewModel
    let sync: SyncAction
    public init(model: ReviewModel, sync: @escaping SyncAction) {
        self.model = model
        self.sync = sync
    }
    public var body: some View {
        let s = model.strings
        List {
            if let m = model.message { Text(verbatim: m).foregroundStyle(.red) }
            if model.queue.isEmpty { Text(verbatim: s.nothingToReview) }
            ForEach(model.queue, id: \.id) { h in
                HStack {
                    Text(verbatim: "\(h.description) · \(h.minutes) \(s.minutes)")
                    Spacer()
                    Button(s.approve) { Task { await model.approve(h.id) } }
                    Button(s.rejectWith) { Task { await model.reject(h.id, reason: s.rejectWith) } }
                }
            }
        }
        .buttonStyle(.borderless)
        .refreshable { await sync() }
        .task { await model.refresh() }
    }
}

/// Staff mode: the check-in desk and the hours review, over the models the
/// app view holds.
public struct StaffView: View {
    let roster: RosterModel
    let review: ReviewModel
    let sync: SyncAction
    public init(roster: RosterModel, review: ReviewModel, sync: @escaping SyncAction) {
        self.roster = roster
        self.review = review
        self.sync = sync
    }
    public var body: some View {
        TabView {
            RosterView(model: roster, sync: sync).tabItem { Text(verbatim: roster.strings.desk) }
            ReviewView(model: review, sync: sync).tabItem { Text(verbatim: roster.strings.review) }
        }
    }
}

/// Hours a volunteer reports: minutes and what was done (three hours ago,
/// as the Compose form does).
struct ReportForm: View {
    let model: VolunteerModel
    @State private var minutes = ""
    @State private var text = ""
    var body: some View {
        let s = model.strings
        HStack {
            TextField(s.minutes, text: $minutes)
            TextField(s.description, text: $text)
            Button(s.report) {
                let typed = UInt32(minutes.trimmingCharacters(in: .whitespaces))
                let description = text
                minutes = ""
                text = ""
                if let typed {
                    Task {
                        await model.report(minutes: typed, description: description,
                                           startedAt: Date().addingTimeInterval(-3 * 3_600))
                    }
                }
            }
        }
    }
}

/// The volunteer: notices, call-outs, hours (total, entries, report), orders,
/// activities (sign up, cancel, the waitlist place), teams (join, pending).
public struct VolunteerView: View {
    let model: VolunteerModel
    let sync: SyncAction
    public init(model: VolunteerModel, sync: @escaping SyncAction) {
        self.model = model
        self.sync = sync
    }
    public var body: some View {
        let s = model.strings
        List {
            if let m = model.message { Text(verbatim: m).foregroundStyle(.red) }
            if !model.unreadNotices.isEmpty {
                Section(s.notices) {
                    ForEach(model.unreadNotices, id: \.id) { n in
                        HStack {
                            Text(verbatim: n.message)
                            Spacer()
                            Button(s.markRead) { Task { await model.read(n.id) } }
                        }
                    }
                }
            }
            if !model.callOuts.isEmpty {
                Section(s.callOuts) {
                    ForEach(model.callOuts, id: \.id) { a in
                        HStack {
                            Text(verbatim: "\(a.title) · \(a.signupCount)/\(a.capacity)")
                            Spacer()
                            Button(s.answer) { Task { await model.signUp(a.id) } }
                        }
                    }
                }
            }
            Section(s.myHours) {
                if let total = model.total {
                    Text(verbatim: s.confirmedPending(total.confirmedMinutes, total.pendingMinutes))
                }
                ForEach(Array(model.hours.prefix(10)), id: \.id) { h in
                    Text(verbatim: "\(h.description) · \(h.minutes) \(s.minutes) · \(s.hourStatus(h.status))")
                }
                ReportForm(model: model)
            }
            if !model.orders.isEmpty {
                Section(s.myOrders) {
                    ForEach(model.orders, id: \.id) { o in
                        HStack {
                            Text(verbatim: "\(o.category) · \(o.description)")
                            Spacer()
                            if o.status == .dispatched {
                                Button(s.accept) { Task { await model.accept(o.id) } }
                                Button(s.decline) { Task { await model.decline(o.id, reason: s.decline) } }
                            } else if o.status == .accepted {
                                Button(s.complete) {
                                    Task { await model.complete(o.id, startedAt: Date().addingTimeInterval(-3_600), minutes: 60) }
                                }
                            }
                        }
                    }
                }
            }
            Section(s.activities) {
                ForEach(Array(model.activities.prefix(30)), id: \.activity.id) { row in
                    HStack {
                        Text(verbatim: "\(row.activity.title) · \(row.activity.signupCount)/\(row.activity.capacity)")
                        Spacer()
                        if row.signup == nil {
                            Button(s.signUp) { Task { await model.signUp(row.activity.id) } }
                        } else {
                            if let p = row.waitlistPosition {
                                Text(verbatim: s.waitlisted(p))
                            } else {
                                Text(verbatim: s.signedUp)
                            }
                            Button(s.cancel) { Task { await model.cancel(row.activity.id) } }
                        }
                    }
                }
            }
            Section(s.teams) {
                ForEach(Array(model.teams.prefix(30)), id: \.team.id) { row in
                    HStack {
                        Text(verbatim: row.team.name)
                        Spacer()
                        switch row.status {
                        case .active?: Text(verbatim: s.member)
                        case .requested?: Text(verbatim: s.requested)
                        default: Button(s.join) { Task { await model.join(row.team.id) } }
                        }
                    }
                }
            }
        }
        .buttonStyle(.borderless)
        .refreshable { await sync() }
        .task { await model.refresh() }
    }
}

/// The whole app: the banner, then sign-in, the staff desk or the
/// volunteer's screens by role. The view models live as this view's state,
/// made once (not in `body`).
@MainActor
public struct AppView: View {
    let session: SessionModel
    @State private var roster: RosterModel
    @State private var review: ReviewModel
    @State private var volunteer: VolunteerModel

    public init(session: SessionModel, client: VolunteerClient) {
        self.session = session
        _roster = State(initialValue: RosterModel(client: client, strings: session.strings))
        _review = State(initialValue: ReviewModel(client: client, strings: session.strings))
        _volunteer = State(initialValue: VolunteerModel(client: client, strings: session.strings))
    }

    /// Sync now, then read the lists on screen again.
    private func syncAndRead() async {
        await session.sync()
        switch session.profile?.role {
        case nil: break
        case .staff?, .admin?:
            await roster.refresh()
            await review.refresh()
        default: await volunteer.refresh()
        }
    }

    public var body: some View {
        VStack {
            SyncBannerView(session: session, sync: syncAndRead)
            switch session.profile?.role {
            case nil: SignInView(session: session)
            case .staff?, .admin?: StaffView(roster: roster, review: review, sync: syncAndRead)
            default: VolunteerView(model: volunteer, sync: syncAndRead)
            }
        }
        .padding()
    }
}
#endif
