// Every string the demo shows, per language (zh-CN the default). Codes the
// core gives (rejections, sync failures) are translated here, never parsed.
package app.volunteer.demo

import app.volunteer.core.Action
import app.volunteer.core.Connectivity
import app.volunteer.core.HourStatus
import app.volunteer.core.PendingAction
import app.volunteer.core.RejectCode
import app.volunteer.core.RejectedAction
import app.volunteer.core.VolunteerException
import java.time.Instant
import java.time.ZoneId
import java.time.format.DateTimeFormatter

data class Strings(
    val appName: String,
    val login: String,
    val password: String,
    val signIn: String,
    val sync: String,
    val offline: String,
    val online: String,
    /** Before any sync since the app opened: neither online nor offline is known. */
    val notConnected: String,
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
    val markRead: String,
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
    val hourStatus: (HourStatus) -> String,
    val reject: (RejectCode) -> String,
    /** What a queued action is, in words. */
    val action: (Action) -> String,
    /** A refused action and why: (the action in words, the reason in words). */
    val refused: (String, String) -> String,
    /** A failure by its code (the core's `SyncFailure.code` or a call's error). */
    val failure: (String) -> String,
    /** Sign-in refused: the login or the password is wrong. */
    val wrongLogin: String,
    /** Any other unusable input, with the field the core names. */
    val invalidField: (String) -> String,
) {
    /**
     * An error of a call, in words a field worker understands. [signIn]: the
     * call was a sign-in, where unusable input means a wrong login or password.
     */
    fun error(e: VolunteerException, signIn: Boolean = false): String = when (e) {
        is VolunteerException.Rejected -> reject(e.code)
        is VolunteerException.Offline -> failure("offline")
        is VolunteerException.SignedOut -> failure("signed_out")
        is VolunteerException.AuthExpired -> failure("auth_expired")
        is VolunteerException.AccountDisabled -> failure("account_disabled")
        is VolunteerException.InvalidInput -> if (signIn) wrongLogin else invalidField(e.field)
        is VolunteerException.PendingChanges -> failure("pending_changes")
        // The protocol's codes a person can act on; any other: the server failed.
        is VolunteerException.Server -> failure(if (e.code in setOf("rate_limited", "upgrade_required")) e.code else "server")
        is VolunteerException.StorageFull -> failure("storage_full")
        is VolunteerException.UpgradeRequired -> failure("upgrade_required")
        is VolunteerException.Storage -> failure("storage")
        is VolunteerException.Cancelled -> failure("cancelled")
        is VolunteerException.Internal -> failure("internal")
    }

    fun connectivity(c: Connectivity): String = when (c) {
        Connectivity.OFFLINE -> offline
        Connectivity.ONLINE -> online
        Connectivity.UNKNOWN -> notConnected
    }

    /** A time of day as the demo shows it (China time). */
    fun time(at: Instant): String = TIME.format(at)

    /** An action waiting to sync: what it is and when it was made. */
    fun pendingLine(p: PendingAction): String = "${action(p.mutation)} · ${time(p.createdAt)}"

    /** An action the server refused: which one, and why. */
    fun rejectedLine(r: RejectedAction): String = refused(action(r.mutation), reject(r.code))

    companion object {
        private val TIME = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneId.of("Asia/Shanghai"))

        /** The failure codes translated here (the rest read "something went wrong"). */
        val FAILURE_CODES = listOf(
            "offline", "signed_out", "auth_expired", "account_disabled", "invalid_input", "pending_changes",
            "server", "rate_limited", "retry_later", "upgrade_required", "storage_full", "storage",
            "database_too_new", "cancelled", "internal",
        )

        val zh = Strings(
            appName = "志愿服务",
            login = "账号（手机号）",
            password = "密码",
            signIn = "登录",
            sync = "同步",
            offline = "离线",
            online = "在线",
            notConnected = "尚未连接",
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
            markRead = "已读",
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
                    HourStatus.PENDING -> "待审核"
                    HourStatus.CONFIRMED -> "已确认"
                    HourStatus.REJECTED -> "已驳回"
                    HourStatus.SUPERSEDED -> "已更正"
                    HourStatus.VOIDED -> "已作废"
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
            action = { a ->
                when (a) {
                    is Action.JoinTeam -> "加入队伍"
                    is Action.LeaveTeam -> "退出队伍"
                    is Action.WithdrawJoinRequest -> "撤回入队申请"
                    is Action.DecideJoinRequest -> if (a.approve) "批准入队" else "拒绝入队"
                    is Action.RemoveMember -> "移出队员"
                    is Action.SetTeamRole -> "设置队内角色"
                    is Action.SignUp -> "报名活动"
                    is Action.CreateActivity -> "创建活动"
                    is Action.CreateCallOut -> "发布紧急呼叫"
                    is Action.CreateProject -> "创建项目"
                    is Action.AssignProject -> "关联项目"
                    is Action.CloseCallOut -> "关闭紧急呼叫"
                    is Action.WidenCallOut -> "扩大呼叫范围"
                    is Action.PublishActivity -> "发布活动"
                    is Action.StartActivity -> "开始活动"
                    is Action.FinishActivity -> "结束活动"
                    is Action.CancelActivity -> "取消活动"
                    is Action.CancelSignup -> "取消报名"
                    is Action.ReportHours -> "上报时长"
                    is Action.ReviewHours -> if (a.approve) "通过时长" else "驳回时长"
                    is Action.CorrectHours -> "更正时长"
                    is Action.DisputeHours -> "对时长提出异议"
                    is Action.ResolveDispute -> "处理时长异议"
                    is Action.ReopenHours -> "重新审核时长"
                    is Action.CheckIn -> "签到"
                    is Action.CheckOut -> "签退"
                    is Action.PlaceOrder -> "下单求助"
                    is Action.CancelOrder -> "取消订单"
                    is Action.WithdrawOrder -> "撤回派单"
                    is Action.ReleaseOrder -> "退回订单"
                    is Action.DispatchOrder -> "派单"
                    is Action.RespondToOrder -> if (a.accept) "接单" else "婉拒派单"
                    is Action.CompleteOrder -> "完成订单"
                    is Action.RateOrder -> "评价订单"
                    is Action.MarkNoticeRead -> "标记通知已读"
                    is Action.CreateCampaign -> "发起募捐"
                    is Action.RecordDonation -> "登记捐赠"
                    is Action.CorrectAttendance -> "更正签到记录"
                    is Action.CorrectDonation -> "更正捐赠"
                    is Action.VoidDonation -> "作废捐赠"
                    is Action.DistributeGoods -> "发放物资"
                    is Action.CreateSite -> "创建站点"
                    is Action.UpdateSite -> "修改站点"
                    is Action.CreateTeam -> "创建队伍"
                    is Action.UpdateTeam -> "修改队伍"
                    is Action.CreateAccount -> "创建账号"
                    is Action.AssignAccount -> "分配账号"
                    is Action.DeactivateAccount -> "停用账号"
                    is Action.ReactivateAccount -> "恢复账号"
                }
            },
            refused = { action, reason -> "$action：$reason" },
            failure = { code ->
                when (code) {
                    "offline" -> "没有网络，操作已保存，联网后自动同步"
                    "signed_out" -> "尚未登录，请先登录"
                    "auth_expired" -> "登录已过期，请重新登录"
                    "account_disabled" -> "账号已停用，请联系所在站点"
                    "invalid_input" -> "填写有误，请检查后再试"
                    "pending_changes" -> "还有操作没有同步，请联网同步后再试"
                    "server" -> "服务器出了问题，操作已保存，请稍后再试"
                    "rate_limited", "retry_later" -> "服务器繁忙，请稍后再试"
                    "upgrade_required" -> "请更新应用"
                    "storage_full" -> "手机存储空间已满，请清理后再试，已保存的操作不会丢失"
                    "storage" -> "手机上的数据读写出错，请重启应用；仍不行请联系所在站点"
                    "database_too_new" -> "数据来自更新版本的应用，请更新应用"
                    "cancelled" -> "已取消"
                    "internal" -> "应用出了问题，请重试；仍不行请联系所在站点"
                    else -> "出错了（$code）"
                }
            },
            wrongLogin = "账号或密码错误",
            invalidField = { field ->
                val name = mapOf("login" to "账号", "password" to "密码", "phone" to "手机号", "code" to "验证码",
                    "minutes" to "时长", "description" to "说明")[field] ?: field
                "填写有误：$name"
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
            notConnected = "Not connected yet",
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
            markRead = "Read",
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
            hourStatus = { s ->
                when (s) {
                    HourStatus.PENDING -> "Pending review"
                    HourStatus.CONFIRMED -> "Confirmed"
                    HourStatus.REJECTED -> "Rejected"
                    HourStatus.SUPERSEDED -> "Corrected"
                    HourStatus.VOIDED -> "Voided"
                }
            },
            reject = { code ->
                when (code) {
                    RejectCode.FORBIDDEN -> "You may not do this"
                    RejectCode.NOT_FOUND -> "It no longer exists"
                    RejectCode.ACTIVITY_FULL -> "The activity is full"
                    RejectCode.ACTIVITY_CLOSED -> "The activity is over or cancelled"
                    RejectCode.NOT_CHECKED_IN -> "Not checked in"
                    RejectCode.INVALID_INPUT -> "Something was filled in wrong"
                    RejectCode.CLOCK_SKEW -> "The phone's clock is off: set it and try again"
                    RejectCode.INVALID_STATE -> "Not possible at this stage"
                    RejectCode.NOT_SIGNED_UP -> "Not signed up, and no walk-ins"
                    RejectCode.TOO_LATE -> "Too late to record this"
                    RejectCode.UNSUPPORTED -> "The server cannot do this"
                    RejectCode.ALREADY_CREDITED -> "Already credited by check-in"
                    RejectCode.DAILY_LIMIT -> "More than 24 hours in a day"
                    RejectCode.HOURS_OVERLAP -> "Overlaps hours already recorded"
                    RejectCode.ID_TAKEN -> "This number is taken"
                    RejectCode.PHONE_TAKEN -> "This phone number has an account"
                    RejectCode.UNKNOWN -> "Refused for an unknown reason"
                }
            },
            action = { a ->
                when (a) {
                    is Action.JoinTeam -> "Join a team"
                    is Action.LeaveTeam -> "Leave a team"
                    is Action.WithdrawJoinRequest -> "Withdraw a join request"
                    is Action.DecideJoinRequest -> if (a.approve) "Approve a member" else "Decline a member"
                    is Action.RemoveMember -> "Remove a member"
                    is Action.SetTeamRole -> "Change a team role"
                    is Action.SignUp -> "Sign up"
                    is Action.CreateActivity -> "Create an activity"
                    is Action.CreateCallOut -> "Post a call-out"
                    is Action.CreateProject -> "Create a project"
                    is Action.AssignProject -> "Link to a project"
                    is Action.CloseCallOut -> "Close a call-out"
                    is Action.WidenCallOut -> "Widen a call-out"
                    is Action.PublishActivity -> "Publish an activity"
                    is Action.StartActivity -> "Start an activity"
                    is Action.FinishActivity -> "Finish an activity"
                    is Action.CancelActivity -> "Cancel an activity"
                    is Action.CancelSignup -> "Cancel a sign-up"
                    is Action.ReportHours -> "Report hours"
                    is Action.ReviewHours -> if (a.approve) "Approve hours" else "Reject hours"
                    is Action.CorrectHours -> "Correct hours"
                    is Action.DisputeHours -> "Dispute hours"
                    is Action.ResolveDispute -> "Resolve a dispute"
                    is Action.ReopenHours -> "Reopen hours"
                    is Action.CheckIn -> "Check-in"
                    is Action.CheckOut -> "Check-out"
                    is Action.PlaceOrder -> "Place an order"
                    is Action.CancelOrder -> "Cancel an order"
                    is Action.WithdrawOrder -> "Withdraw an offer"
                    is Action.ReleaseOrder -> "Give back an order"
                    is Action.DispatchOrder -> "Dispatch an order"
                    is Action.RespondToOrder -> if (a.accept) "Accept an order" else "Decline an order"
                    is Action.CompleteOrder -> "Complete an order"
                    is Action.RateOrder -> "Rate an order"
                    is Action.MarkNoticeRead -> "Mark a notice read"
                    is Action.CreateCampaign -> "Start a campaign"
                    is Action.RecordDonation -> "Record a donation"
                    is Action.CorrectAttendance -> "Correct attendance"
                    is Action.CorrectDonation -> "Correct a donation"
                    is Action.VoidDonation -> "Void a donation"
                    is Action.DistributeGoods -> "Hand out goods"
                    is Action.CreateSite -> "Create a site"
                    is Action.UpdateSite -> "Update a site"
                    is Action.CreateTeam -> "Create a team"
                    is Action.UpdateTeam -> "Update a team"
                    is Action.CreateAccount -> "Create an account"
                    is Action.AssignAccount -> "Assign an account"
                    is Action.DeactivateAccount -> "Deactivate an account"
                    is Action.ReactivateAccount -> "Reactivate an account"
                }
            },
            refused = { action, reason -> "$action: $reason" },
            failure = { code ->
                when (code) {
                    "offline" -> "No network: saved, and synced once online"
                    "signed_out" -> "Not signed in: sign in first"
                    "auth_expired" -> "Session ended: sign in again"
                    "account_disabled" -> "This account was deactivated: ask your site"
                    "invalid_input" -> "Something was filled in wrong: check and try again"
                    "pending_changes" -> "Some actions have not synced yet: sync first"
                    "server" -> "The server had a problem: saved, try again later"
                    "rate_limited", "retry_later" -> "The server is busy: try again soon"
                    "upgrade_required" -> "Update the app"
                    "storage_full" -> "The phone is full: free some space (nothing saved is lost)"
                    "storage" -> "The phone's data could not be read: restart the app, or ask your site"
                    "database_too_new" -> "The data is from a newer app: update the app"
                    "cancelled" -> "Cancelled"
                    "internal" -> "The app had a problem: try again, or ask your site"
                    else -> "Something went wrong ($code)"
                }
            },
            wrongLogin = "Wrong login or password",
            invalidField = { field ->
                val name = mapOf("login" to "login", "password" to "password", "phone" to "phone number", "code" to "code",
                    "minutes" to "minutes", "description" to "description")[field] ?: field
                "Please check the $name"
            },
        )
    }
}
