// The SwiftUI screens: they read the view models and forward taps. They
// compile where SwiftUI exists (iOS, macOS); on Linux this module is empty
// and the view models are tested on their own.
#if canImport(SwiftUI)
import SwiftUI
import VolunteerCore
import VolunteerDemoModels

public struct SyncBannerView: View {
    let session: SessionModel
    public init(session: SessionModel) { self.session = session }
    public var body: some View {
        HStack {
            Text(session.banner.text(session.strings)).font(.footnote)
            Spacer()
            Button("同步") { Task { await session.sync() } }
        }
    }
}

public struct SignInView: View {
    let session: SessionModel
    @State private var login = ""
    @State private var password = ""
    public init(session: SessionModel) { self.session = session }
    public var body: some View {
        Form {
            TextField("账号（手机号）", text: $login).textContentType(.username)
            SecureField("密码", text: $password)
            Button("登录") { Task { await session.signIn(login: login, password: password) } }
            if let m = session.message { Text(m).foregroundStyle(.red) }
        }
    }
}

public struct RosterView: View {
    let model: RosterModel
    public init(model: RosterModel) { self.model = model }
    public var body: some View {
        List {
            if let m = model.message { Text(m).foregroundStyle(.red) }
            if !model.pending.isEmpty { Text("待同步的操作：\(model.pending.count)") }
            ForEach(model.rejected, id: \.seq) { r in
                HStack {
                    Text(model.strings.reject(r.code))
                    Spacer()
                    Button("重新提交") { Task { await model.resend(r.seq) } }
                    Button("放弃") { Task { await model.discard(r.seq) } }
                }
            }
            if model.selected == nil {
                ForEach(model.activities, id: \.id) { a in
                    Button("\(a.title) · \(a.signupCount)/\(a.capacity)") { Task { await model.open(a.id) } }
                }
            } else {
                Button("返回") { Task { await model.open(nil) } }
                ForEach(model.roster, id: \.volunteerId) { e in
                    HStack {
                        Text(e.volunteerName)
                        Spacer()
                        if e.checkedInAt == nil {
                            Button("签到") { Task { await model.checkIn(e.volunteerId) } }
                        } else if e.checkedOutAt == nil {
                            Button("签退") { Task { await model.checkOut(e.volunteerId) } }
                        } else {
                            Text("已签到")
                        }
                    }
                }
                ForEach(model.walkIns, id: \.volunteerId) { m in
                    HStack {
                        Text(m.volunteerName)
                        Spacer()
                        Button("现场报名并签到") { Task { await model.checkIn(m.volunteerId) } }
                    }
                }
            }
        }
        .task { await model.refresh() }
    }
}

public struct ReviewView: View {
    let model: ReviewModel
    public init(model: ReviewModel) { self.model = model }
    public var body: some View {
        List {
            if let m = model.message { Text(m).foregroundStyle(.red) }
            ForEach(model.queue, id: \.id) { h in
                HStack {
                    Text("\(h.description) · \(h.minutes) 分钟")
                    Spacer()
                    Button("通过") { Task { await model.approve(h.id) } }
                    Button("驳回") { Task { await model.reject(h.id, reason: "驳回") } }
                }
            }
        }
        .task { await model.refresh() }
    }
}

/// Staff mode: the check-in desk and the hours review.
public struct StaffView: View {
    let client: VolunteerClient
    let strings: Strings
    public init(client: VolunteerClient, strings: Strings) {
        self.client = client
        self.strings = strings
    }
    public var body: some View {
        TabView {
            RosterView(model: RosterModel(client: client, strings: strings)).tabItem { Text("签到") }
            ReviewView(model: ReviewModel(client: client, strings: strings)).tabItem { Text("时长审核") }
        }
    }
}

public struct VolunteerView: View {
    let model: VolunteerModel
    public init(model: VolunteerModel) { self.model = model }
    public var body: some View {
        List {
            ForEach(model.notices.filter { !$0.read }, id: \.id) { n in Text(n.message) }
            ForEach(model.callOuts, id: \.id) { a in
                Button("响应：\(a.title)") { Task { await model.signUp(a.id) } }
            }
            ForEach(model.orders, id: \.id) { o in
                HStack {
                    Text("\(o.category) · \(o.description)")
                    Spacer()
                    if o.status == .dispatched {
                        Button("接单") { Task { await model.accept(o.id) } }
                        Button("婉拒") { Task { await model.decline(o.id, reason: "婉拒") } }
                    } else if o.status == .accepted {
                        Button("完成") { Task { await model.complete(o.id, startedAt: Date().addingTimeInterval(-3_600), minutes: 60) } }
                    }
                }
            }
            ForEach(model.hours.prefix(10), id: \.id) { h in Text("\(h.description) · \(h.minutes) 分钟") }
            ForEach(model.activities, id: \.activity.id) { row in
                HStack {
                    Text(row.activity.title)
                    Spacer()
                    if row.signup == nil {
                        Button("报名") { Task { await model.signUp(row.activity.id) } }
                    } else if let p = row.waitlistPosition {
                        Text(model.strings.waitlisted(p))
                    } else {
                        Button("取消报名") { Task { await model.cancel(row.activity.id) } }
                    }
                }
            }
        }
        .task { await model.refresh() }
    }
}

/// The whole app: sign-in, then the staff desk or the volunteer's screens.
public struct AppView: View {
    let session: SessionModel
    let client: VolunteerClient
    public init(session: SessionModel, client: VolunteerClient) {
        self.session = session
        self.client = client
    }
    public var body: some View {
        VStack {
            SyncBannerView(session: session)
            switch session.profile?.role {
            case nil: SignInView(session: session)
            case .staff?, .admin?: StaffView(client: client, strings: session.strings)
            default: VolunteerView(model: VolunteerModel(client: client, strings: session.strings))
            }
        }
        .padding()
    }
}
#endif
