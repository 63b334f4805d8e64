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
            }
        }
        .task { await model.refresh() }
    }
}

public struct VolunteerView: View {
    let model: VolunteerModel
    public init(model: VolunteerModel) { self.model = model }
    public var body: some View {
        List {
            ForEach(model.notices.filter { !$0.read }, id: \.id) { n in Text(n.message) }
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
            case .staff?, .admin?: RosterView(model: RosterModel(client: client, strings: session.strings))
            default: VolunteerView(model: VolunteerModel(client: client, strings: session.strings))
            }
        }
        .padding()
    }
}
#endif
