"""The phrase tables of the SMS classifier (``classify.py``): per category, the wordings that mark it,
each with its weight and why it counts, as an analyst would read it.

The wordings come from the typologies that police and anti-fraud centres publish (积分兑换现金,
电子密码器失效, 假房东, 冒充领导换号, 中奖/幸运观众, 校讯通/成绩单 and 聚会照片 trojan links, 澳门赌场
直营, the 360 reports' 色情服务/非法博彩 classes) and from the SMS providers' template rules
(verification codes name 验证码/校验码/动态码/注册码; promotions end with an opt-out such as
拒收请回复R or 回T退订). Text is matched after NFKC folding and case folding (``ｗｗｗ`` is ``www``,
``TD`` is ``td``), so every phrase here is written folded.

A cue fires when each of its groups has a phrase in the text (a group is an any-of); ``link`` says
whether it needs a link in the text (True), needs none (False) or does not care (None).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Cue:
    rule: str  # stable id, shown in the reasons
    category: str
    groups: tuple[tuple[str, ...], ...]
    weight: float
    why: str  # the analyst's sentence; {0} is the phrase found (of the first group)
    link: bool | None = None


# The banks a pay-into-this-account text names (labelling rule 7).
BANK_WORDS: tuple[str, ...] = ("银行", "建行", "工行", "农行", "中行", "交行", "招行", "邮政", "信用社", "农信")

CUES: tuple[Cue, ...] = (
    # --- fraud (诈骗): money sent to the sender under a pretext, no link needed
    Cue(
        "fraud_pay_account",
        "fraud",
        (("打到", "汇到", "存到", "转到", "打款", "汇款", "速汇", "转账", "打钱", "账户上", "卡里", "卡上", "充值卡"),),
        1.0,
        "asks for money to be paid in ({0})",
    ),
    Cue(
        # 建行 … 户名 … 打到这个账户: an account and its holder sent to a stranger (labelling rule 7)
        "fraud_bare_account",
        "fraud",
        (BANK_WORDS, ("户名", "卡号", "帐号", "账号", "打到这个", "打款后")),
        1.5,
        "a bank account and its holder ({0}) for a stranger to pay into",
    ),
    Cue(
        # (fifth pass, from train errors) "xxxxxxxxxxxxxxxxxxx余夭玉工行": a bank and a card-length
        # number with nothing else. The data set masks digits as x, so a masked run of 16 counts
        # here; a real card number is the structural ``fraud_bank_card`` reason of classify.py
        "fraud_bare_card",
        "fraud",
        (BANK_WORDS, ("x" * 16,)),
        1.5,
        "a bank ({0}) and a card-length number for a stranger to pay into",
    ),
    Cue(
        "fraud_landlord",
        "fraud",
        (("房东", "房租"),),
        1.2,
        "the landlord pretext ({0}): rent to a new account",
    ),
    Cue(
        "fraud_new_number",
        "fraud",
        (("号码变更", "换了号", "换号", "惠存新号", "新号码", "原有号码", "我现在的手机号码"),),
        1.2,
        "announces a changed number ({0}), the opening of the fake-acquaintance scam",
    ),
    Cue(
        "fraud_prize",
        "fraud",
        (
            (
                "中奖",
                "幸运观众",
                "幸运用户",
                "抽中",
                "二等奖",
                "一等奖",
                "栏目组",
                "领奖",
                "奖品",
                "奖项",
                "已抽取为",
                "抽选为",
            ),
        ),
        1.5,
        "a prize nobody entered for ({0})",
    ),
    Cue(
        # 恭喜您被…抽中, 祝贺您…获得二等奖 (the TV-show lures); with a link it is still the prize
        # lure the reports file as 虚假中奖, not a credential page (labelling rule 2)
        "fraud_congratulations",
        "fraud",
        (("恭喜", "祝贺"), ("获得", "抽中", "选为", "赢得")),
        1.5,
        "congratulates the reader on winning something ({0})",
    ),
    Cue(
        "fraud_arrest",
        "fraud",
        (("被抓", "警官", "留案底", "通缉", "涉嫌", "洗钱", "逮捕"),),
        1.2,
        "a relative or the police in trouble ({0})",
    ),
    Cue(
        "fraud_task",
        "fraud",
        (("刷单", "好评", "报酬", "佣金", "返利", "日结"),),
        1.0,
        "a task or job that pays ({0})",
    ),
    Cue(
        "fraud_forward_credit",
        "fraud",
        (("转发",), ("话费", "赠送")),
        1.2,
        "promises credit for forwarding ({0})",
    ),
    Cue(
        "fraud_premium_lure",
        "fraud",
        (("聊天室", "发ok到", "发短信", "我等着你"),),
        1.0,
        "a lure to text a premium number ({0})",
    ),
    Cue(
        "fraud_escort_job",
        "fraud",
        (("男公关", "男女公关", "情感陪护", "借种", "富婆", "共孕"),),
        1.5,
        "the paid-companion job lure ({0}): a deposit first, no job",
    ),
    # --- phishing (钓鱼网站链接): a page that asks for card, password and code
    Cue(
        "phish_points_cash",
        "phishing",
        (("积分",), ("兑换", "兑现", "现金", "提现", "清零")),
        1.5,
        "offers cash for points ({0}): operators and banks pay no points in cash",
    ),
    Cue(
        "phish_token_expiry",
        "phishing",
        (("密码器", "网银", "手机银行", "身份信息"), ("过期", "失效", "升级", "到期", "认证")),
        1.5,
        "says a bank credential expires ({0}) and must be renewed online",
    ),
    Cue(
        "phish_account_state",
        "phishing",
        (("失效", "停用", "暂停使用", "作废", "无法报销", "冻结", "已无效", "已过时", "过期"),),
        1.0,
        "threatens an account or card state ({0}) to make the reader act",
    ),
    Cue(
        "phish_go_log_in",
        "phishing",
        (("登录", "登入", "登陆", "打开", "点击", "完善", "激活", "认证", "验证", "查询兑换"),),
        0.6,
        "asks the reader to go and log in or confirm ({0})",
    ),
    Cue(
        # 您的借款额度…已审批通过，点击…即可提现: a loan nobody asked for, drawn at a page that wants
        # the card (the simulator's 平安普惠 campaign; labelling rule 7)
        "phish_loan_approved",
        "phishing",
        (("额度", "借款", "贷款"), ("审批通过", "已批", "已到账"), ("提现", "领取", "激活")),
        2.5,
        "a loan 'approved' to be drawn at a link ({0})",
        link=True,
    ),
    Cue(
        "phish_public_service",
        "phishing",
        (("etc", "医保", "社保", "参保", "医用保险", "12333", "重疾保障", "违章记录"),),
        0.6,
        "a public service's account ({0}), the 2020s phishing pretexts",
    ),
    # --- malware (木马病毒): a link to an app, behind a personal lure
    Cue(
        "malware_photos",
        "malware",
        (("照片", "相片", "相册", "合照"),),
        1.5,
        "offers photos behind a link ({0}), the address-book worm's lure",
    ),
    Cue(
        "malware_school",
        "malware",
        (("成绩单", "在校", "校讯通", "综合表现"),),
        1.5,
        "a school report for a parent ({0}), a known trojan lure",
    ),
    Cue(
        "malware_install",
        "malware",
        (("客户端", ".apk", "手机软件", "安装激活", "下载安装", "安装打开", "点击安装", "安装掌上"),),
        2.0,
        "asks to install an app ({0})",
    ),
    Cue(
        "malware_install_link",
        "malware",
        (("客户端", "安装", "下载"),),
        3.0,
        "asks to install an app ({0}) from the link it carries: whatever the lure, the link delivers software",
        link=True,
    ),
    Cue(
        # (fifth pass, from train errors) 积分 … 登录 <link> 按提示安装领取: the points lure that has the
        # reader install something is the 积分 trojan (labelling rule 2), not a credential page
        "malware_points_install",
        "malware",
        (("积分",), ("安装", "下载客户端", "客户端下载")),
        2.0,
        "points for cash ({0}) collected by installing what the link serves: the 积分 trojan",
        link=True,
    ),
    Cue(
        "malware_vote",
        "malware",
        (("投下票", "帮我投票", "帮忙投票"),),
        1.5,
        "asks a favour, a vote, behind a link ({0}): the 微投票 worm's lure",
    ),
    Cue(
        "malware_look",
        "malware",
        (("看这个", "快看看", "看看吧", "有空看看"),),
        0.8,
        "a personal 'look at this' ({0})",
    ),
    Cue(
        "malware_violation",
        "malware",
        (("违章", "闯红灯", "交警", "12123"),),
        0.8,
        "a traffic ticket ({0}), whose links serve a 违章查询 app",
    ),
    # --- gambling (赌博)
    Cue(
        "gambling_casino",
        "gambling",
        (("赌场", "娱乐城", "葡京", "威尼斯人", "博彩", "赌博", "澳门", "casino", "welcome bonus", "play now"),),
        1.5,
        "promotes a casino ({0})",
    ),
    Cue(
        "gambling_betting",
        "gambling",
        (("百家乐", "轮盘", "六合彩", "特码", "下注", "投注", "开户", "真人", "首存", "返水", "网投"),),
        1.2,
        "betting terms ({0})",
    ),
    Cue(
        "gambling_lottery_tips",
        "gambling",
        (("六肖", "三肖", "二肖", "一肖", "平特", "中特", "挂牌", "彩图", "火烧", "生肖"),),
        2.0,
        "tips for the illegal 六合彩 lottery ({0}): zodiac signs and 特码 numbers for the next draw",
    ),
    # --- prostitution (招嫖)
    Cue(
        "prostitution_offer",
        "prostitution",
        (
            (
                "学生妹",
                "包夜",
                "援交",
                "一夜情",
                "特殊服务",
                "莞式",
                "寂寞少妇",
                "美女服务",
                "嫩模",
                "制服诱惑",
                "情趣",
                "空姐",
            ),
        ),
        2.0,
        "offers sexual services ({0})",
    ),
    Cue(
        "prostitution_girls_out",
        "prostitution",
        (("小妹", "女孩", "美女", "少妇", "学生"), ("上门服务", "外送", "包夜", "热情火辣")),
        2.0,
        "offers women sent out or served ({0})",
    ),
    Cue(
        # 茶 is the trade's word for the women: 上好的茶叶 … 你懂的, 新茶到 … 看茶 (labelling rule 8)
        "prostitution_tea",
        "prostitution",
        (("你懂的", "看茶", "美茶", "靓茶", "新茶到", "好茶", "新茶多多"),),
        2.0,
        "offers 'tea' ({0}), the trade's word for the women",
    ),
    Cue(
        "prostitution_tea_venue",
        "prostitution",
        (("会所", "酒店", "茶馆"), ("品尝", "品茶", "看茶", "新茶")),
        1.5,
        "a club or hotel inviting the reader to taste its 'tea' ({0})",
    ),
    # --- advertising (广告)
    Cue(
        "ad_opt_out",
        "advertising",
        (("退订", "回t", "回td", "拒收请回复r", "回复td", "回n"),),
        1.2,
        "carries an opt-out ({0}), which promotions must",
    ),
    Cue(
        "ad_shop",
        "advertising",
        (
            (
                "欢迎致电",
                "感谢致电",
                "感谢您致电",
                "欢迎您致电",
                "欢迎光临",
                "欢迎惠顾",
                "欢迎选购",
                "欢迎到店",
                "欢迎前来",
                "欢迎新老",
                "进店",
                "到店",
                "店庆",
                "开业",
                "酬宾",
                "特卖",
                "清仓",
                "甩卖",
                "新品",
                "上市",
                "抢购",
                "买一送一",
                "全场",
                "折起",
                "低至",
                "一口价",
                "好礼",
                "活动",
            ),
        ),
        1.2,
        "a shop's or a venue's promotion ({0})",
    ),
    Cue(
        "ad_trade",
        "advertising",
        (
            (
                "贷款",
                "无抵押",
                "信用贷",
                "理财",
                "收益率",
                "招生",
                "开课",
                "招商",
                "加盟",
                "代理商",
                "招聘",
                "热线",
                "详询",
                "咨询电话",
                "联系电话",
                "电话咨询",
                "厂家",
                "批发",
                "竭诚",
                "包您满意",
                "主营",
                "专业从事",
                "专营",
                "茶叶店",
                "茶厂",
                "免费咨询",
                "满意再买",
                "地址:",
                "电话:",
                "有意者",
                "报名",
                "名额有限",
                "会员",
                "护理",
                "平米",
                "宽带",
                "送货上门",
                "免费上门",
                "价格从优",
                "供应",
                "便民服务",
            ),
        ),
        1.0,
        "a trade offering its goods or services ({0})",
    ),
    Cue(
        "ad_promotion",
        "advertising",
        (
            (
                "优惠",
                "促销",
                "大促",
                "特价",
                "巨惠",
                "均价",
                "楼盘",
                "别墅",
                "现房",
                "详情垂询",
                "助你",
                "提前抢",
                "一锤定音",
                # (fifth pass, from train errors: advertisements that named no shop word)
                "好消息",
                "钜惠",
                "极限价",
                "出售",
                "专业办理",
                "诚聘",
                "高价回收",
                "详情咨询",
                "联系方式",
            ),
        ),
        1.0,
        "promotional wording ({0})",
    ),
    Cue(
        # (fifth pass, from train errors) a brand's own app with a discount (下载布丁酒店APP专享 … 折起,
        # 下载掌上生活，每周三x折): a download that sells something, which the 积分 and photo trojans'
        # lures never price
        "ad_app",
        "advertising",
        (("app", "下载掌上"), ("折", "特价", "代金券", "抵扣券", "最低价", "专享")),
        2.5,
        "promotes a brand's app ({0}) with a discount",
    ),
    # --- other: what legitimate notifications say
    Cue(
        "other_one_time_code",
        "other",
        (("验证码", "校验码", "动态码", "注册码", "检验码", "交易码", "动态密码", "verif", "code"),),
        1.5,
        "a one-time code message ({0}) without a link, as the providers' template rules require",
        link=False,
    ),
    Cue(
        "other_do_not_share",
        "other",
        (("请勿泄露", "请勿泄漏", "切勿", "请勿告知", "勿向任何人", "如非本人操作", "不要把", "don't forward"),),
        0.8,
        "tells the reader to keep it to themselves ({0}), as genuine code messages do",
    ),
    Cue(
        "other_parcel",
        "other",
        (("取件码", "取货码", "提货码", "快递单号", "驿站", "配送中", "已打包", "您有包裹"),),
        1.5,
        "a parcel notice ({0})",
    ),
    Cue(
        "other_account_movement",
        "other",
        (("尾号",), ("余额", "入账", "存入", "收入", "扣除", "消费")),
        1.2,
        "a bank account movement notice ({0})",
    ),
    Cue(
        "other_service_notice",
        "other",
        (
            (
                "已受理",
                "预约号",
                "排队号",
                "会议即将开始",
                "审批通过",
                "门票",
                "售后人员",
                "初始密码",
                "重置为",
                "用户名为",
                "兑换码为",
                "消费金额为",
            ),
        ),
        1.2,
        "a service notice ({0})",
    ),
)

# Words with which a text speaks for a bank, an operator or a public service without naming one
# brand of the sender tables (those are found through the tables' aliases and numbers). With a link
# to a domain no named brand lists, they are the ``brand_link`` phishing mark: none of them can
# vouch for a link, since only the tables' sourced domains are a brand's own.
INSTITUTION_WORDS: tuple[str, ...] = ("银行", "我行", "移动积分", "移动商城", "医保", "社保", "12333", "etc")

# The sender analysis's reasons (``sender.RULES``) and the category each one marks; each counts
# with the weight the sender analysis gave it. A brand's number linking elsewhere, a brand from an
# ordinary number, one brand's text from another's number: the impersonation that carries a
# phishing link. A call-back number that is not the brand's: the fake customer-service line (fraud).
SENDER_RULES: dict[str, str] = {
    "sms_spoofed_service_number": "phishing",
    "sms_link_from_service_number": "phishing",
    "sms_brand_sender_mismatch": "phishing",
    "sms_brand_from_ordinary_number": "phishing",
    "sms_callback_not_official": "fraud",
}
