// Every string the demo shows, per language (zh-CN the default). Codes the
// core gives are translated here, never parsed.
import Foundation
import VolunteerCore

public struct Strings: Sendable {
    public let offline, online, syncing, neverSynced: String
    public let waiting: @Sendable (UInt64) -> String
    public let downloading: @Sendable (UInt64, UInt64) -> String
    public let lastSynced: @Sendable (String) -> String
    public let waitlisted: @Sendable (UInt32) -> String
    public let reject: @Sendable (RejectCode) -> String
    public let failure: @Sendable (String) -> String

    /// An error of a call, in words a field worker understands.
    public func error(_ e: Error) -> String {
        switch e {
        case VolunteerError.Rejected(let code, _): return reject(code)
        case VolunteerError.Offline: return failure("offline")
        case VolunteerError.AuthExpired: return failure("auth_expired")
        case VolunteerError.InvalidInput: return failure("invalid_input")
        case VolunteerError.AccountDisabled: return failure("account_disabled")
        case VolunteerError.Server(_, let code, _): return failure(code)
        default: return failure("other")
        }
    }

    public static let zh = Strings(
        offline: "离线", online: "在线", syncing: "正在同步…", neverSynced: "尚未同步",
        waiting: { "\($0) 项待同步" },
        downloading: { "正在下载 \($0)/\($1)" },
        lastSynced: { "上次同步 \($0)" },
        waitlisted: { "候补第 \($0) 位" },
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
        failure: { code in
            switch code {
            case "offline": return "没有网络，操作已保存，联网后自动同步"
            case "auth_expired": return "登录已过期，请重新登录"
            case "invalid_input": return "账号或密码错误"
            case "account_disabled": return "账号已停用，请联系所在站点"
            case "rate_limited", "retry_later": return "服务器繁忙，请稍后再试"
            case "upgrade_required": return "请更新应用"
            default: return "出错了（\(code)）"
            }
        }
    )

    public static let en = Strings(
        offline: "Offline", online: "Online", syncing: "Syncing…", neverSynced: "Not synced yet",
        waiting: { "\($0) waiting to sync" },
        downloading: { "Downloading \($0) of \($1)" },
        lastSynced: { "Last synced \($0)" },
        waitlisted: { "Waitlist #\($0)" },
        reject: { "\($0)" },
        failure: { code in
            switch code {
            case "offline": return "No network: saved, and synced once online"
            case "auth_expired": return "Session ended: sign in again"
            case "invalid_input": return "Wrong login or password"
            case "account_disabled": return "This account was deactivated"
            default: return "Something went wrong (\(code))"
            }
        }
    )
}
