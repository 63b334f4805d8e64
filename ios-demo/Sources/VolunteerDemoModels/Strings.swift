// Every string the demo shows, per language (zh-CN the default). Codes the
// core gives are translated here, never parsed.
import Foundation
import VolunteerCore

public struct Strings: Sendable {
    // Sign-in and the banner.
    public let appName, login, password, signIn, sync: String
    public let offline, online, notConnected, syncing, neverSynced: String
    public let waiting: @Sendable (UInt64) -> String
    public let downloading: @Sendable (UInt64, UInt64) -> String
    public let lastSynced: @Sendable (String) -> String
    // Staff: the desk and the hours review.
    public let desk, today, roster, checkIn, checkOut, checkedIn, noActivities, walkIn, back: String
    public let waitingList, rejected, resend, discard: String
    public let review, approve, rejectWith, nothingToReview: String
    // The volunteer.
    public let teams, join, requested, member: String
    public let activities, signUp, cancel, signedUp: String
    public let waitlisted: @Sendable (UInt32) -> String
    public let myHours, report, minutes, description: String
    public let confirmedPending: @Sendable (UInt64, UInt64) -> String
    public let hourStatus: @Sendable (HourStatus) -> String
    public let myOrders, accept, decline, complete: String
    public let callOuts, answer, notices, markRead: String
    // Codes and actions in words.
    public let reject: @Sendable (RejectCode) -> String
    /// What a queued action is, in words.
    public let action: @Sendable (Action) -> String
    /// A refused action and why: (the action in words, the reason in words).
    public let refused: @Sendable (String, String) -> String
    /// A failure by its code (the core's `SyncFailure.code` or a call's error).
    public let failure: @Sendable (String) -> String
    /// Sign-in refused: the login or the password is wrong.
    public let wrongLogin: String
    /// Any other unusable input, with the field the core names.
    public let invalidField: @Sendable (String) -> String

    /// A time of day as the demo shows it (China time).
    public func time(_ at: Date) -> String {
        let f = DateFormatter()
        f.dateFormat = "HH:mm"
        f.timeZone = TimeZone(identifier: "Asia/Shanghai")
        return f.string(from: at)
    }

    /// An action waiting to sync: what it is and when it was made.
    public func pendingLine(_ p: PendingAction) -> String { "\(action(p.mutation)) · \(time(p.createdAt))" }

    /// An action the server refused: which one, and why.
    public func rejectedLine(_ r: RejectedAction) -> String { refused(action(r.mutation), reject(r.code)) }

    public func connectivity(_ c: Connectivity) -> String {
        switch c {
        case .offline: return offline
        case .online: return online
        case .unknown: return notConnected
        }
    }

    /// An error of a call, in words a field worker understands. `signIn`:
    /// the call was a sign-in, where unusable input means a wrong login or
    /// password.
    public func error(_ e: Error, signIn: Bool = false) -> String {
        switch e {
        case VolunteerError.Rejected(let code, _): return reject(code)
        case VolunteerError.Offline: return failure("offline")
        case VolunteerError.SignedOut: return failure("signed_out")
        case VolunteerError.AuthExpired: return failure("auth_expired")
        case VolunteerError.AccountDisabled: return failure("account_disabled")
        case VolunteerError.InvalidInput(let field, _): return signIn ? wrongLogin : invalidField(field)
        case VolunteerError.PendingChanges: return failure("pending_changes")
        case VolunteerError.Server(_, let code, _):
            // The protocol's codes a person can act on; any other: the server failed.
            return ["rate_limited", "upgrade_required"].contains(code) ? failure(code) : failure("server")
        case VolunteerError.StorageFull: return failure("storage_full")
        case VolunteerError.UpgradeRequired: return failure("upgrade_required")
        case VolunteerError.Storage: return failure("storage")
        case VolunteerError.Cancelled: return failure("cancelled")
        case VolunteerError.Internal: return failure("internal")
        default: return failure("internal")
        }
    }

    /// The failure codes translated here (the rest read "something went wrong").
    public static let failureCodes = [
        "offline", "signed_out", "auth_expired", "account_disabled", "invalid_input", "pending_changes",
        "server", "rate_limited", "retry_later", "upgrade_required", "storage_full", "storage",
        "database_too_new", "cancelled", "internal",
    ]

    public static let zh = Strings(
        appName: "志愿服务", login: "账号（手机号）", password: "密码", signIn: "登录", sync: "同步",
        offline: "离线", online: "在线", notConnected: "尚未连接", syncing: "正在同步…", neverSynced: "尚未同步",
        waiting: { "\($0) 项待同步" },
        downloading: { "正在下载 \($0)/\($1)" },
        lastSynced: { "上次同步 \($0)" },
        desk: "签到", today: "今日活动", roster: "签到名单", checkIn: "签到", checkOut: "签退", checkedIn: "已签到",
        noActivities: "今天没有活动。", walkIn: "现场报名并签到", back: "返回",
        waitingList: "待同步的操作", rejected: "未被接受的操作", resend: "重新提交", discard: "放弃",
        review: "时长审核", approve: "通过", rejectWith: "驳回", nothingToReview: "没有待审核的时长。",
        teams: "队伍", join: "加入", requested: "待审核", member: "已加入",
        activities: "活动", signUp: "报名", cancel: "取消报名", signedUp: "已报名",
        waitlisted: { "候补第 \($0) 位" },
        myHours: "我的时长", report: "上报时长", minutes: "分钟", description: "说明",
        confirmedPending: { c, p in "已确认 \(c / 60) 小时 \(c % 60) 分，待审核 \(p / 60) 小时 \(p % 60) 分" },
        hourStatus: { s in
            switch s {
            case .pending: return "待审核"
            case .confirmed: return "已确认"
            case .rejected: return "已驳回"
            case .superseded: return "已更正"
            case .voided: return "已作废"
            }
        },
        myOrders: "我的订单", accept: "接单", decline: "婉拒", complete: "完成",
        callOuts: "紧急呼叫", answer: "响应", notices: "通知", markRead: "已读",
        reject: { code in
            switch code {
            case .forbidden: return "无权操作"
            case .notFound: return "对象不存在"
            case .activityFull: return "名额已满"
            case .activityClosed: return "活动已结束或取消"
            case .notCheckedIn: return "尚未签到"
            case .invalidInput: return "填写有误"
            case .clockSkew: return "手机时间不准，请校正后重试"
            case .invalidState: return "当前状态不允许此操作"
            case .notSignedUp: return "未报名，且不接受现场报名"
            case .tooLate: return "已超过补录期限"
            case .unsupported: return "服务器不支持此操作"
            case .alreadyCredited: return "已通过签到计入时长"
            case .dailyLimit: return "超过每日24小时上限"
            case .hoursOverlap: return "与已有时长时间重叠"
            case .idTaken: return "编号已被占用"
            case .phoneTaken: return "该手机号已有账号"
            case .unknown: return "未知原因"
            }
        },
        action: { a in
            switch a {
            case .joinTeam: return "加入队伍"
            case .leaveTeam: return "退出队伍"
            case .withdrawJoinRequest: return "撤回入队申请"
            case .decideJoinRequest(_, _, let approve, _): return approve ? "批准入队" : "拒绝入队"
            case .removeMember: return "移出队员"
            case .setTeamRole: return "设置队内角色"
            case .signUp: return "报名活动"
            case .createActivity: return "创建活动"
            case .createCallOut: return "发布紧急呼叫"
            case .createProject: return "创建项目"
            case .assignProject: return "关联项目"
            case .closeCallOut: return "关闭紧急呼叫"
            case .widenCallOut: return "扩大呼叫范围"
            case .publishActivity: return "发布活动"
            case .startActivity: return "开始活动"
            case .finishActivity: return "结束活动"
            case .cancelActivity: return "取消活动"
            case .cancelSignup: return "取消报名"
            case .reportHours: return "上报时长"
            case .reviewHours(_, let approve, _): return approve ? "通过时长" : "驳回时长"
            case .correctHours: return "更正时长"
            case .disputeHours: return "对时长提出异议"
            case .resolveDispute: return "处理时长异议"
            case .reopenHours: return "重新审核时长"
            case .checkIn: return "签到"
            case .checkOut: return "签退"
            case .placeOrder: return "下单求助"
            case .cancelOrder: return "取消订单"
            case .withdrawOrder: return "撤回派单"
            case .releaseOrder: return "退回订单"
            case .dispatchOrder: return "派单"
            case .respondToOrder(_, let accept, _, _): return accept ? "接单" : "婉拒派单"
            case .completeOrder: return "完成订单"
            case .rateOrder: return "评价订单"
            case .markNoticeRead: return "标记通知已读"
            case .createCampaign: return "发起募捐"
            case .recordDonation: return "登记捐赠"
            case .correctAttendance: return "更正签到记录"
            case .correctDonation: return "更正捐赠"
            case .voidDonation: return "作废捐赠"
            case .distributeGoods: return "发放物资"
            case .createSite: return "创建站点"
            case .updateSite: return "修改站点"
            case .createTeam: return "创建队伍"
            case .updateTeam: return "修改队伍"
            case .createAccount: return "创建账号"
            case .assignAccount: return "分配账号"
            case .deactivateAccount: return "停用账号"
            case .reactivateAccount: return "恢复账号"
            }
        },
        refused: { action, reason in "\(action)：\(reason)" },
        failure: { code in
            switch code {
            case "offline": return "没有网络，操作已保存，联网后自动同步"
            case "signed_out": return "尚未登录，请先登录"
            case "auth_expired": return "登录已过期，请重新登录"
            case "account_disabled": return "账号已停用，请联系所在站点"
            case "invalid_input": return "填写有误，请检查后再试"
            case "pending_changes": return "还有操作没有同步，请联网同步后再试"
            case "server": return "服务器出了问题，操作已保存，请稍后再试"
            case "rate_limited", "retry_later": return "服务器繁忙，请稍后再试"
            case "upgrade_required": return "请更新应用"
            case "storage_full": return "手机存储空间已满，请清理后再试，已保存的操作不会丢失"
            case "storage": return "手机上的数据读写出错，请重启应用；仍不行请联系所在站点"
            case "database_too_new": return "数据来自更新版本的应用，请更新应用"
            case "cancelled": return "已取消"
            case "internal": return "应用出了问题，请重试；仍不行请联系所在站点"
            default: return "出错了（\(code)）"
            }
        },
        wrongLogin: "账号或密码错误",
        invalidField: { field in
            let name = ["login": "账号", "password": "密码", "phone": "手机号", "code": "验证码",
                        "minutes": "时长", "description": "说明"][field] ?? field
            return "填写有误：\(name)"
        }
    )

    public static let en = Strings(
        appName: "Volunteer", login: "Login (phone)", password: "Password", signIn: "Sign in", sync: "Sync",
        offline: "Offline", online: "Online", notConnected: "Not connected yet", syncing: "Syncing…",
        neverSynced: "Not synced yet",
        waiting: { "\($0) waiting to sync" },
        downloading: { "Downloading \($0) of \($1)" },
        lastSynced: { "Last synced \($0)" },
        desk: "Check-in", today: "Today's activities", roster: "Roster", checkIn: "Check in", checkOut: "Check out",
        checkedIn: "Checked in", noActivities: "No activities today.", walkIn: "Walk-in: check in", back: "Back",
        waitingList: "Waiting to sync", rejected: "Not accepted", resend: "Resend", discard: "Discard",
        review: "Hours review", approve: "Approve", rejectWith: "Reject", nothingToReview: "Nothing to review.",
        teams: "Teams", join: "Join", requested: "Pending approval", member: "Member",
        activities: "Activities", signUp: "Sign up", cancel: "Cancel", signedUp: "Signed up",
        waitlisted: { "Waitlist #\($0)" },
        myHours: "My hours", report: "Report hours", minutes: "Minutes", description: "Description",
        confirmedPending: { c, p in "Confirmed \(c / 60) h \(c % 60) min, pending \(p / 60) h \(p % 60) min" },
        hourStatus: { s in
            switch s {
            case .pending: return "Pending review"
            case .confirmed: return "Confirmed"
            case .rejected: return "Rejected"
            case .superseded: return "Corrected"
            case .voided: return "Voided"
            }
        },
        myOrders: "My orders", accept: "Accept", decline: "Decline", complete: "Done",
        callOuts: "Call-outs", answer: "Respond", notices: "Notices", markRead: "Read",
        reject: { code in
            switch code {
            case .forbidden: return "You may not do this"
            case .notFound: return "It no longer exists"
            case .activityFull: return "The activity is full"
            case .activityClosed: return "The activity is over or cancelled"
            case .notCheckedIn: return "Not checked in"
            case .invalidInput: return "Something was filled in wrong"
            case .clockSkew: return "The phone's clock is off: set it and try again"
            case .invalidState: return "Not possible at this stage"
            case .notSignedUp: return "Not signed up, and no walk-ins"
            case .tooLate: return "Too late to record this"
            case .unsupported: return "The server cannot do this"
            case .alreadyCredited: return "Already credited by check-in"
            case .dailyLimit: return "More than 24 hours in a day"
            case .hoursOverlap: return "Overlaps hours already recorded"
            case .idTaken: return "This number is taken"
            case .phoneTaken: return "This phone number has an account"
            case .unknown: return "Refused for an unknown reason"
            }
        },
        action: { a in
            switch a {
            case .joinTeam: return "Join a team"
            case .leaveTeam: return "Leave a team"
            case .withdrawJoinRequest: return "Withdraw a join request"
            case .decideJoinRequest(_, _, let approve, _): return approve ? "Approve a member" : "Decline a member"
            case .removeMember: return "Remove a member"
            case .setTeamRole: return "Change a team role"
            case .signUp: return "Sign up"
            case .createActivity: return "Create an activity"
            case .createCallOut: return "Post a call-out"
            case .createProject: return "Create a project"
            case .assignProject: return "Link to a project"
            case .closeCallOut: return "Close a call-out"
            case .widenCallOut: return "Widen a call-out"
            case .publishActivity: return "Publish an activity"
            case .startActivity: return "Start an activity"
            case .finishActivity: return "Finish an activity"
            case .cancelActivity: return "Cancel an activity"
            case .cancelSignup: return "Cancel a sign-up"
            case .reportHours: return "Report hours"
            case .reviewHours(_, let approve, _): return approve ? "Approve hours" : "Reject hours"
            case .correctHours: return "Correct hours"
            case .disputeHours: return "Dispute hours"
            case .resolveDispute: return "Resolve a dispute"
            case .reopenHours: return "Reopen hours"
            case .checkIn: return "Check-in"
            case .checkOut: return "Check-out"
            case .placeOrder: return "Place an order"
            case .cancelOrder: return "Cancel an order"
            case .withdrawOrder: return "Withdraw an offer"
            case .releaseOrder: return "Give back an order"
            case .dispatchOrder: return "Dispatch an order"
            case .respondToOrder(_, let accept, _, _): return accept ? "Accept an order" : "Decline an order"
            case .completeOrder: return "Complete an order"
            case .rateOrder: return "Rate an order"
            case .markNoticeRead: return "Mark a notice read"
            case .createCampaign: return "Start a campaign"
            case .recordDonation: return "Record a donation"
            case .correctAttendance: return "Correct attendance"
            case .correctDonation: return "Correct a donation"
            case .voidDonation: return "Void a donation"
            case .distributeGoods: return "Hand out goods"
            case .createSite: return "Create a site"
            case .updateSite: return "Update a site"
            case .createTeam: return "Create a team"
            case .updateTeam: return "Update a team"
            case .createAccount: return "Create an account"
            case .assignAccount: return "Assign an account"
            case .deactivateAccount: return "Deactivate an account"
            case .reactivateAccount: return "Reactivate an account"
            }
        },
        refused: { action, reason in "\(action): \(reason)" },
        failure: { code in
            switch code {
            case "offline": return "No network: saved, and synced once online"
            case "signed_out": return "Not signed in: sign in first"
            case "auth_expired": return "Session ended: sign in again"
            case "account_disabled": return "This account was deactivated: ask your site"
            case "invalid_input": return "Something was filled in wrong: check and try again"
            case "pending_changes": return "Some actions have not synced yet: sync first"
            case "server": return "The server had a problem: saved, try again later"
            case "rate_limited", "retry_later": return "The server is busy: try again soon"
            case "upgrade_required": return "Update the app"
            case "storage_full": return "The phone is full: free some space (nothing saved is lost)"
            case "storage": return "The phone's data could not be read: restart the app, or ask your site"
            case "database_too_new": return "The data is from a newer app: update the app"
            case "cancelled": return "Cancelled"
            case "internal": return "The app had a problem: try again, or ask your site"
            default: return "Something went wrong (\(code))"
            }
        },
        wrongLogin: "Wrong login or password",
        invalidField: { field in
            let name = ["login": "login", "password": "password", "phone": "phone number", "code": "code",
                        "minutes": "minutes", "description": "description"][field] ?? field
            return "Please check the \(name)"
        }
    )
}
