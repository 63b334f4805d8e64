// Every string the demo shows, per language (zh-CN the default). Codes the
// core gives (rejections, sync failures) are translated here, never parsed.
package app.volunteer.demo

import app.volunteer.core.Connectivity
import app.volunteer.core.RejectCode
import app.volunteer.core.VolunteerException

data class Strings(
    val appName: String,
    val login: String,
    val password: String,
    val signIn: String,
    val sync: String,
    val offline: String,
    val online: String,
    val syncing: String,
    val waiting: (ULong) -> String,
    val downloading: (ULong, ULong) -> String,
    val lastSynced: (String) -> String,
    val neverSynced: String,
    val today: String,
    val roster: String,
    val checkIn: String,
    val checkOut: String,
    val checkedIn: String,
    val noActivities: String,
    val rejected: String,
    val resend: String,
    val discard: String,
    val back: String,
    val teams: String,
    val join: String,
    val requested: String,
    val member: String,
    val activities: String,
    val signUp: String,
    val cancel: String,
    val waitlisted: (UInt) -> String,
    val signedUp: String,
    val myHours: String,
    val confirmedPending: (ULong, ULong) -> String,
    val myOrders: String,
    val accept: String,
    val decline: String,
    val complete: String,
    val callOuts: String,
    val answer: String,
    val notices: String,
    val desk: String,
    val review: String,
    val approve: String,
    val rejectWith: String,
    val nothingToReview: String,
    val walkIn: String,
    val waitingList: String,
    val report: String,
    val minutes: String,
    val description: String,
    val hourStatus: (app.volunteer.core.HourStatus) -> String,
    val reject: (RejectCode) -> String,
    val failure: (String) -> String,
) {
    /** An error of a call, in words a field worker understands. */
    fun error(e: VolunteerException): String = when (e) {
        is VolunteerException.Rejected -> reject(e.code)
        is VolunteerException.Offline -> failure("offline")
        is VolunteerException.AuthExpired -> failure("auth_expired")
        is VolunteerException.InvalidInput -> failure("invalid_input")
        is VolunteerException.AccountDisabled -> failure("account_disabled")
        is VolunteerException.Server -> failure(e.code)
        else -> failure("other")
    }

    fun connectivity(c: Connectivity): String = when (c) {
        Connectivity.OFFLINE -> offline
        else -> online
    }

    companion object {
        val zh = Strings(
            appName = "志愿服务",
            login = "账号（手机号）",
            password = "密码",
            signIn = "登录",
            sync = "同步",
            offline = "离线",
            online = "在线",
            syncing = "正在同步…",
            waiting = { n -> "$n 项待同步" },
            downloading = { done, expected -> "正在下载 $done/$expected" },
            lastSynced = { t -> "上次同步 $t" },
            neverSynced = "尚未同步",
            today = "今日活动",
            roster = "签到名单",
            checkIn = "签到",
            checkOut = "签退",
            checkedIn = "已签到",
            noActivities = "今天没有活动。",
            rejected = "未被接受的操作",
            resend = "重新提交",
            discard = "放弃",
            back = "返回",
            teams = "队伍",
            join = "加入",
            requested = "待审核",
            member = "已加入",
            activities = "活动",
            signUp = "报名",
            cancel = "取消报名",
            waitlisted = { n -> "候补第 $n 位" },
            signedUp = "已报名",
            myHours = "我的时长",
            confirmedPending = { c, p -> "已确认 ${c / 60uL} 小时 ${c % 60uL} 分，待审核 ${p / 60uL} 小时 ${p % 60uL} 分" },
            myOrders = "我的订单",
            accept = "接单",
            decline = "婉拒",
            complete = "完成",
            callOuts = "紧急呼叫",
            answer = "响应",
            notices = "通知",
            desk = "签到",
            review = "时长审核",
            approve = "通过",
            rejectWith = "驳回",
            nothingToReview = "没有待审核的时长。",
            walkIn = "现场报名并签到",
            waitingList = "待同步的操作",
            report = "上报时长",
            minutes = "分钟",
            description = "说明",
            hourStatus = { s ->
                when (s) {
                    app.volunteer.core.HourStatus.PENDING -> "待审核"
                    app.volunteer.core.HourStatus.CONFIRMED -> "已确认"
                    app.volunteer.core.HourStatus.REJECTED -> "已驳回"
                    app.volunteer.core.HourStatus.SUPERSEDED -> "已更正"
                    app.volunteer.core.HourStatus.VOIDED -> "已作废"
                }
            },
            reject = { code ->
                when (code) {
                    RejectCode.FORBIDDEN -> "无权操作"
                    RejectCode.NOT_FOUND -> "对象不存在"
                    RejectCode.ACTIVITY_FULL -> "名额已满"
                    RejectCode.ACTIVITY_CLOSED -> "活动已结束或取消"
                    RejectCode.NOT_CHECKED_IN -> "尚未签到"
                    RejectCode.INVALID_INPUT -> "填写有误"
                    RejectCode.CLOCK_SKEW -> "手机时间不准，请校正后重试"
                    RejectCode.INVALID_STATE -> "当前状态不允许此操作"
                    RejectCode.NOT_SIGNED_UP -> "未报名，且不接受现场报名"
                    RejectCode.TOO_LATE -> "已超过补录期限"
                    RejectCode.UNSUPPORTED -> "服务器不支持此操作"
                    RejectCode.ALREADY_CREDITED -> "已通过签到计入时长"
                    RejectCode.DAILY_LIMIT -> "超过每日24小时上限"
                    RejectCode.HOURS_OVERLAP -> "与已有时长时间重叠"
                    RejectCode.ID_TAKEN -> "编号已被占用"
                    RejectCode.PHONE_TAKEN -> "该手机号已有账号"
                    RejectCode.UNKNOWN -> "未知原因"
                }
            },
            failure = { code ->
                when (code) {
                    "offline" -> "没有网络，操作已保存，联网后自动同步"
                    "auth_expired" -> "登录已过期，请重新登录"
                    "invalid_input" -> "账号或密码错误"
                    "account_disabled" -> "账号已停用，请联系所在站点"
                    "rate_limited", "retry_later" -> "服务器繁忙，请稍后再试"
                    "upgrade_required" -> "请更新应用"
                    else -> "出错了（$code）"
                }
            },
        )

        val en = Strings(
            appName = "Volunteer",
            login = "Login (phone)",
            password = "Password",
            signIn = "Sign in",
            sync = "Sync",
            offline = "Offline",
            online = "Online",
            syncing = "Syncing…",
            waiting = { n -> "$n waiting to sync" },
            downloading = { done, expected -> "Downloading $done of $expected" },
            lastSynced = { t -> "Last synced $t" },
            neverSynced = "Not synced yet",
            today = "Today's activities",
            roster = "Roster",
            checkIn = "Check in",
            checkOut = "Check out",
            checkedIn = "Checked in",
            noActivities = "No activities today.",
            rejected = "Not accepted",
            resend = "Resend",
            discard = "Discard",
            back = "Back",
            teams = "Teams",
            join = "Join",
            requested = "Pending approval",
            member = "Member",
            activities = "Activities",
            signUp = "Sign up",
            cancel = "Cancel",
            waitlisted = { n -> "Waitlist #$n" },
            signedUp = "Signed up",
            myHours = "My hours",
            confirmedPending = { c, p -> "Confirmed ${c / 60uL} h ${c % 60uL} min, pending ${p / 60uL} h ${p % 60uL} min" },
            myOrders = "My orders",
            accept = "Accept",
            decline = "Decline",
            complete = "Done",
            callOuts = "Call-outs",
            answer = "Respond",
            notices = "Notices",
            desk = "Check-in",
            review = "Hours review",
            approve = "Approve",
            rejectWith = "Reject",
            nothingToReview = "Nothing to review.",
            walkIn = "Walk-in: check in",
            waitingList = "Waiting to sync",
            report = "Report hours",
            minutes = "Minutes",
            description = "Description",
            hourStatus = { s -> s.name.lowercase() },
            reject = { code -> code.name.lowercase().replace('_', ' ') },
            failure = { code ->
                when (code) {
                    "offline" -> "No network: saved, and synced once online"
                    "auth_expired" -> "Session ended: sign in again"
                    "invalid_input" -> "Wrong login or password"
                    "account_disabled" -> "This account was deactivated"
                    "rate_limited", "retry_later" -> "The server is busy: try again soon"
                    "upgrade_required" -> "Update the app"
                    else -> "Something went wrong ($code)"
                }
            },
        )
    }
}
