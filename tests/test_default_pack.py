"""The default pack against the definitions in LABELING.md: each family, with real sentences.

Positive families must fire; hard negatives must not. Sentences are written in the
wording of many business domains and in both scripts, not copied from the dev set.
"""

from __future__ import annotations

import pytest

from qa_audit.engine import Auditor
from qa_audit.mask import mask_text
from qa_audit.model import Finding
from tests.conftest import conversation


def findings_of(auditor: Auditor, *lines: str, check: str) -> list[Finding]:
    """The given check's findings in the conversation."""
    return [f for f in auditor.findings(conversation(*lines)) if f.check == check]


def checks_on(auditor: Auditor, *lines: str, check: str) -> list[int | None]:
    """Turn indices the given check flags in the conversation."""
    return [f.turn for f in findings_of(auditor, *lines, check=check)]


TABOOS = {
    "impatient": [
        "急什么，工单已经在处理了。",
        "你烦不烦啊，都说了明天到。",
        "你有完没完？",
        "催什么催，排队呢。",
        "催咩催呀，我咪睇緊囉。",
        "你怎么这么啰嗦。",
        "我都说了三遍了。",
        "我不是跟你说过了吗，要带身份证。",
        "你听不懂吗？航班已经取消了。",
        "你到底听明白了没有？",
        "說了多少遍了，要先報案。",
        "我说的你听不明白吗？要先报案。",
        "你到底要问什么？说重点。",
        "别磨蹭了，赶紧选。",
        "没看我正忙着吗？",
        "你怎么这么多事？",
        "吵什么吵，小点声。",
        "没完没了了是吧？",
        "就說了帶健保卡就好，妳有沒有在聽啊？",
        "同样的事情你要讲几次？",
        "您再打多少次电话都一样。",
        "你講咗好多次喇，我又唔係聾嘅。",
        "你問完未呀？",
    ],
    "blaming": [
        "谁让你自己把插头拔了的。",
        "这是你自己操作的问题。",
        "你自己没看清楚就下单了。",
        "早干嘛去了，现在才说。",
        "你怎么不早说呢？",
        "都怪你自己没备份。",
        "你自己没带证件，怪谁？",
        "別什麼都賴我們。",
        "又不是我让你买的。",
        "后果自负。",
        "剪指甲的时候乱动才划到的，你家猫也太不配合了。",
        "碗係出窯後用報紙包好交俾你嘅，包裝冇問題，我哋每件都檢查過，你自己整爛咗都嚟怪我哋？",
    ],
    "dismissive": [
        "这个不归我管。",
        "这不是我负责的，你别问我。",
        "我这边只管理赔，别的不管。",
        "我这边就是负责登记的而已。",
        "物业那边的事我哪管得了。",
        "有没有记录仪我不清楚，配送是合作公司做的，跟我们客服不相干。",
        "这是规定，没办法。",
        "那你自己看着办吧。",
        "爱修不修。",
        "有本事你去投诉啊。",
        "你去投诉吧，投诉也没用。",
        "这事跟我们没关系。",
        "這不歸我們管。",
        "爱租不租，就这个价。",
        "这不是我们部门的事。",
        "这个我们管不了。",
        "你爱去哪投诉去哪投诉。",
        "爱订不订。",
        "规定就是这样，我也没办法。",
        "有意见你找领导去。",
        "跟我说没用。",
        "要投訴就投訴，我無所謂。",
        "这不是我的工作范围。",
        "你自己看著辦。",
        "嫌收费高您可以不用我们家的嘛。",
        "价格是公司统一调整的，嫌贵的话可以不用。",
        "我了解，可是物流真的不是我們這邊在處理的。",
    ],
    "sarcastic": [
        "这都不会用？",
        "这你都不知道？",
        "你问我，我问谁？",
        "我怎么知道你家空调怎么坏的？",
        "这还用问吗？",
        "连这个都不懂。",
        "通告第二頁寫到明要填學生編號，你睇唔明呀？",
        "怎么这么笨啊。",
        "这么简单都看不懂吗？",
        "笨死了。",
        "你以为你是谁啊？",
        "你懂什么？",
        "你算老几？",
        "自己的密码输三次都输不对，也是够笨的。",
        "鼓包的话你换之前不会自己看一下吗？",
        "喂？您能不能大点声啊，跟蚊子叫似的。",
        "保固係保零件，唔包運費。你聽唔明咩?",
        "要推住個安全鎖先壓得落去，你有冇聽清楚先？",
        "商品编码要先在项目信息里添加，保存以后就能选了，这么基础的操作也要问？",
        "家庭號標示24小包，生產線是秤重包裝，偶爾會有一兩包的誤差，才少三包而已，這種小事也要客訴喔？",
        "成绩申诉在官网页面提交，组委会三个工作日内答复，不过说实话您跑那么慢，还在乎这两分钟吗？",
        "你係二十公里組。強制裝備咁都唔知？官網同確認電郵都寫晒，要帶頭燈、水同保暖外套。",
        # in a long turn, where the model alone scores it too low
        "您家这台热水器上个月刚做过保养，记录上各项都正常，加热时有点响声是水垢受热膨胀，天冷了进水温度低，声音会更明显一点，"
        "安全阀和漏电保护都有，响一下又不会炸，您别这么大惊小怪。",
    ],
    "profane": [
        "滚！",
        "你有病吧。",
        "神经病。",
        "闭嘴，听我说。",
        "你算什么东西。",
        "你是不是有病啊？",
        "去死吧。",
        "少废话。",
        "关我屁事。",
        "你脑子进水了吧。",
    ],
    "standard": [
        "喂，大声一点儿！",
        "那你就慢慢等着吧。",
        "听不见就算了。",
        "喂？大声点！",
        "听不见拉倒。",
        "慢慢等吧。",
    ],
}


@pytest.mark.parametrize(
    "sentence", [pytest.param(s, id=f"{family}-{i}") for family, items in TABOOS.items() for i, s in enumerate(items)]
)
def test_taboo_families_fire(auditor: Auditor, sentence: str) -> None:
    assert checks_on(auditor, f"坐席: {sentence}", check="prohibited") == [0]


NOT_TABOO = [
    "您往下滑动滚动条就能看到。",
    "这个包裹比较笨重，需要两个人搬。",
    "您是急什么时候用？我们可以加急。",
    "不好意思，信号不太好，麻烦您大声一点好吗？",
    "您能稍微大声一点吗？我这边听不太清。",
    "这个不急，您慢慢找。",
    "不知道您还有其他问题吗？",
    "这个我不太清楚，我帮您查询一下，请稍等。",
    "我理解您很着急，我马上处理。",
    "按照规定，这笔费用需要本人办理，我可以帮您预约。",
    "我们下班时间是晚上九点。",
    "您说的“有完没完”我理解，给您添麻烦了。",
    "这个归我们售后管，我直接帮您登记。",
    "您之前有病历的话，带上病历复印件。",
    "您那边听不清楚吗？我换个耳机。",
    "我说的您都明白了吗？",
    "完全不是您的问题哦，是系统延迟。",
    "这款吸尘器有滚刷，可以清理宠物毛发。",
    "您说的《白痴》是陀思妥耶夫斯基的作品，现在有货。",
    "您那边听得清楚吗？我说话大声一点。",
    "条款写得比较啰嗦，我帮您总结一下三个要点。",
    "非常抱歉，相关工作人员已经下班了，明天上午九点给您回电。",
    "您叫什么名字？我帮您登记。",
    "没关系，我刚才也是够傻的，看错了一行。",
    "如果您嫌收费高，可以不用我们的加急服务，普通件三天到。",
    "如果您嫌贵的话，可以选基础套餐，每月30元。",
    "如果您不会自己看，我可以帮您查，请稍等。",
    "我给您发了使用视频，有什么搞不懂的地方随时问我。",
    "旧电脑可以交给我们合作的电子废物回收商处理。",
    "理赔需要两把车钥匙，用来证明车不是您自己弄丢的。",
    "冲泡的话等水滚开后直接冲，每次5克，也可以放进煮茶壶小火煮五分钟。",
]


@pytest.mark.parametrize("sentence", NOT_TABOO)
def test_hard_negatives_are_not_taboo(auditor: Auditor, sentence: str) -> None:
    assert checks_on(auditor, f"坐席: {sentence}", check="prohibited") == []


def test_a_swearing_customer_is_not_the_agents_taboo(auditor: Auditor) -> None:
    assert (
        checks_on(auditor, "客户: 你们都是骗子，滚！", "坐席: 非常抱歉给您带来不好的体验。", check="prohibited") == []
    )


NON_ANSWERS = {
    "ignorance": [
        "这个我也不清楚。",
        "这个我不太了解。",
        "具体原因我也不知道。",
        "这个我没听说过。",
        "这个说不好。",
        "理赔能不能批下来我也不确定。",
        "这个不一定。",
        "我也搞不清楚是怎么回事。",
        "这个没法说。",
        "您的缴费记录我这边系统看不到。",
        "你問我，我問誰？",
        "我怎么知道你家电视怎么坏的？",
        "具体我也说不上来。",
        "这个我们这边看不到。",
        "我也是第一次听说这个。",
        "保修几年我记不太清了。",
        "這個我也不知道耶。",
        "不好说，看情况吧。",
        "呢個真係唔好講。",
        "小程序上怎么显示的我不清楚，那块我们客服管不着。",
        "這個很難講喔，每個人的體質不一樣，有的人瘦得快有的人瘦得慢。",
        "這我怎麼會知道，郵局又不是我開的。",
        "技術部嗰邊有排期，我哋前線睇唔到。",
        "冰岛偏远地区的信号这部分我不清楚。",
    ],
    "deflection": [
        "您问问别人吧。",
        "你找卖家去。",
        "这个您问问银行吧。",
        "您自己看一下说明书吧。",
        "那我也没办法。",
        "这个不归我们管，你找物业去。",
        "您可以问问其他同事。",
        "保险条款里都有写的。",
        "行李的事你自己去问机场柜台吧。",
        "问医生去。",
        "您自己去问街道办吧。",
        "您到时候问问机场安检吧。",
        "您 问问 网点 吧",
        "找热水器厂家吧。",
        "您自己去門市問吧。",
        "不然你自己上官網看啦。",
        "这个你得找售后。",
        "专票你去问财务。",
        "你自己百度一下。",
        "这个不关我们的事。",
        "派人上门这个我这边安排不了。",
        "系統處理嘅嘢我哋控制唔到。",
        "信用卡嗰邊嘅扣數要問返你嘅發卡銀行。",
        "取消退款要另外申請，你自己上網站搵下啦。",
        "您去附近的农机维修店看看吧。",
        "那您可以請老闆打他們商家專線問問看。",
        "您可以打他们客服电话问问看。",
        "那顆電池紀錄正常，這個要問車行喔。",
        "教练的事也不是我这边处理的。",
        "那都是门店的事，不归我们总部管。",
        "可能您直接到板橋店問看看喔。",
        "具体我也不清楚，您可以在抖音上问问那个商家。",
        "您联系一下当地网点吧。",
        "公證那塊我們沒有在管啦。",
        "這部分我們真的也沒辦法。",
        "官網的補發說明裡應該有寫，您可以上去看看。",
        "蘋果的聯絡方式您可以自己上網查一下。",
        "用Apple付款的退款要找蘋果。",
        "可能要請您問一下Apple那邊喔。",
        "你可以喺網站上面搵下常見問題嗰版。",
        "這個要看工程師那邊的排程。",
        "扣錢嘅嘢我哋呢邊都冇辦法。",
        "這部分您可以參考說明書喔",
        "呢個你問下韓國當地電訊商啦。",
        "你想賣就放工嚟門市問，唔想就算囉。",
        "嫌少您就别当了，去别家呗。",
        "网店的事不归我们售后二组负责。",
        "紅酒嗰啲係酒水部計嘅，唔關我宴會部事，你搵佢哋啦。",
        "埋單嗰陣酒水係另外一張單，我哋呢邊冇權改。",
        "这种建议您找学生会反映吧。",
        "這部分您可能要直接問飯店那邊。",
        "您直接問民宿主人會比較清楚喔。",
        "訂單頁面應該有寫吧，您再找找看。",
        "包裹現在在哪裡，這個要問黑貓喔。",
        "退件的事，您直接跟他們反映比較快。",
        "分店電話我呢邊冇，你可以上網搵下。",
        "我这边没有财务的号码。",
        "催我也没用，我又不是做饭的。",
        "而家冇師傅得閒，你自己諗辦法啦。",
        "唔好意思，我呢邊都冇辦法。",
        "具体步骤说明书上都有，您照着说明书操作就可以了。",
        "你要投诉就去投诉好了，反正我这边也就这样。",
        "物流真的不是我們這邊在處理的。",
    ],
    "vague_deferral": [
        "会有人联系您的。",
        "等技术人员联系您吧。",
        "您再等等吧。",
        "您等着就行。",
        "系统会自动处理的。",
        "到时候会有人通知您。",
        "過段時間會自動恢復的。",
        "补贴的事回头再说吧。",
        "这个以后再说。",
        "定损员会联系您的。",
        "回头有消息通知你。",
        "后面会处理的。",
        "已經在處理了，你等著吧。",
        "快了快了，再等等。",
        "等回复吧。",
        "材料要不要交，等有人联系您的时候会告诉您的。",
        "该到的时候自然就给您送到了。",
        "急咩啫，到時就知㗎啦。",
        "骑手到了会给您打电话的。",
        "这个就得等通知了。",
        "出口道闸抬杆慢的问题，回头会有技术跟物业那边联系的。",
        "安装是第三方服务商负责的，您等服务商联系吧。",
        "这个没有固定的时间，都是按顺序处理的。",
        "我們會再請工程師跟您聯絡。",
        "补寄的话要等专人核实以后才能安排。",
        "急乜嘢啫，都話咗跟進緊囉。",
        "我这边没有质检的时间，反正会退的。",
        "可能是系统问题吧，您可以过段时间再试试。",
        "總之到時先算啦。",
        "總之你遲啲再打嚟啦。",
        "影音對接的同事會再跟您聯絡。",
        "嗯，我會幫您反映。",
    ],
}


@pytest.mark.parametrize(
    "sentence",
    [pytest.param(s, id=f"{family}-{i}") for family, items in NON_ANSWERS.items() for i, s in enumerate(items)],
)
def test_three_dont_know_forms_fire_without_a_remedy(auditor: Auditor, sentence: str) -> None:
    lines = ("客户: 我的理赔为什么还没到账？", f"坐席: {sentence}", "客户: 那怎么办？", "坐席: 嗯。")
    assert checks_on(auditor, *lines, check="non_answer") == [1]


@pytest.mark.parametrize("stop", ["。", "."])
def test_a_sentence_ended_with_an_ascii_full_stop_is_read_as_ended(auditor: Auditor, stop: str) -> None:
    """Chats typed with half-width punctuation end sentences with '.': a referral that must
    end its clause (你去医保局问吧。) is found however the full stop was typed."""
    lines = ("客户: 我的医保报销怎么还没到账？", f"坐席: 你去医保局问吧{stop}", "客户: 那怎么办？", "坐席: 嗯。")
    assert checks_on(auditor, *lines, check="non_answer") == [1]


@pytest.mark.parametrize(
    "sentence",
    [
        "这个我不清楚，一周内会有人联系您。",
        "这个我不清楚，30分钟后会有师傅联系您。",
        "具体我不清楚，两天后会有专人联系您。",
        "這個我唔清楚，後日會有人聯絡你。",
    ],
)
def test_a_time_frame_that_runs_into_the_deferral_makes_it_concrete(auditor: Auditor, sentence: str) -> None:
    """The time frame ends on the words the deferral is made of (一周内会 / 会有人联系):
    it still promises a time, where an answer-like opening inside a deflection does not."""
    lines = ("客户: 我的理赔为什么还没到账？", f"坐席: {sentence}", "客户: 好的。", "坐席: 嗯。")
    assert checks_on(auditor, *lines, check="non_answer") == []


@pytest.mark.parametrize(
    "sentence",
    ["我现在也不清楚怎么处理。", "我这边系统里看不到，您自己查一下吧。", "这个我不清楚，三天以后再说吧。",
     "两天后会不会降价我也不知道。"],
)
def test_a_remedy_or_time_that_runs_over_the_trigger_does_not_satisfy_it(auditor: Auditor, sentence: str) -> None:
    """我现在…处理 spans 不清楚; 我这边系统里看 runs into 您自己查一下吧; 两天后会 asks, it
    promises nothing: only a time frame that ends on the first word of a deferral completes it."""
    lines = ("客户: 我的理赔为什么还没到账？", f"坐席: {sentence}", "客户: 那怎么办？", "坐席: 嗯。")
    assert checks_on(auditor, *lines, check="non_answer") == [1]


@pytest.mark.parametrize("sentence", ["这个我不清楚，几天后会有人联系您。", "这个我不清楚，几天内会有人联系您。"])
def test_a_count_of_nothing_is_no_time_frame(auditor: Auditor, sentence: str) -> None:
    """几 reads as a number, but 几天内 promises no time."""
    lines = ("客户: 我的理赔为什么还没到账？", f"坐席: {sentence}", "客户: 那怎么办？", "坐席: 嗯。")
    assert checks_on(auditor, *lines, check="non_answer") == [1]


@pytest.mark.parametrize(
    "sentence",
    [
        "不知道您是否方便提供一下保单号？",
        "不知道您指的是哪一张保单呢？",
        "如果您有不清楚的地方，随时联系我。",
        "您不了解也没关系，我来给您解释。",
        "这个我不太清楚，我帮您查询一下，请稍等。",
        "这个我不确定，我马上帮您转接理赔专线。",
        "会有理赔专员联系您，24小时内一定给您回电。",
        "已为您登记工单，两个工作日内工程师会联系您。",
        "这个不清楚的话，您可以拨打95500转2，理赔专员会直接答复。",
        "就在保单第二页，这都不懂啊？",
        "好的，团长帮您去问一下。",
        "麻烦您提供订单编号，我幫您查看取消條款，請稍候。",
        "好，给您退全款了，送错的那份您自己处理就行。",
        "系统查不到您的订单，麻烦您提供一下下单手机号。",
        "我看一下哈，这单物流单号是无效单号，系统查不到揽收记录。",
        "您问问店铺客服吧，在订单页点“联系卖家”就能找到。",
        "他是不是故意的我没办法确定，我直接帮您按最短路线重新计算，差额三到五个工作天退回。",
        "唔好意思，收得唔係好清楚，麻煩你講大聲少少好嗎？",
        "APP首頁右上角就有「點數兌換」啊，這個你都不知道喔？",
        "您可以打他们客服电话4008208820问问。",
        "您可以去附近的营业厅看看吧，带上身份证就能办。",
        "你唔需要问返你嘅银行，我哋会喺三个工作天内退返俾你。",
        "这个我不太清楚，您在小程序上点“我的-订单”就能看到。",
        "预计不是今天就是明天到账。",
        "不是我们这边处理的问题，是银行延迟，我帮您催办，24小时内回复。",
        "这个很难讲清楚，我给您发个图文说明，两分钟内发到您微信。",
        "您联系一下当地网点吧，电话是0571-88886666。",
        "重装大概需要五分钟，完成后会给您发邮件。",
        "磁盘超过90%系统会发短信提醒您。",
        "系统发生故障了，我帮您登记，24小时内回复。",
        "我们会再请工程师跟您联络，今天下午3点前。",
        "照片里的划痕位置我不太清楚是哪一块，您能圈出来发我吗？",
        "您那边信号有点不清楚，我听不太到，麻烦您大声一点。",
        "华为可以正常用。您先生不了解怎么设置也没关系，说明书第3页有步骤。",
        "到时再算，我先帮您登记，明天上午给您报价。",
        "我會幫您反映，聽日下晝三點前覆你。",
        "我哋冇權改，我即刻幫你轉駁去經理，請稍等。",
        "我send咗教學片俾你，有咩唔清楚可以隨時打嚟問我。",
        "呢個我都冇辦法㗎，佢會喺今日下晝六點前覆你。",
        "頭燈要一百流明以上，如果你唔肯定，當朝可以請工作人員幫你試。",
        "锁定的原因我这边暂时还不清楚，我先在后台看看能不能给孩子解锁。",
        "回头会有优惠券发给您，用不了就联系我。",
    ],
)
def test_non_answer_hard_negatives(auditor: Auditor, sentence: str) -> None:
    lines = ("客户: 我的理赔为什么还没到账？", f"坐席: {sentence}", "客户: 好的。", "坐席: 嗯。")
    assert checks_on(auditor, *lines, check="non_answer") == []


def test_an_answer_in_the_agents_next_turn_cancels_a_non_answer(auditor: Auditor) -> None:
    lines = (
        "客户: 停电什么时候恢复？",
        "坐席: 这个我说不好。",
        "客户: 那我要等多久？",
        "坐席: 可以，抢修队已经到现场了，预计今晚8点前恢复供电。",
    )
    assert checks_on(auditor, *lines, check="non_answer") == []


def test_a_reassurance_that_opens_the_next_turn_is_no_answer(auditor: Auditor) -> None:
    """不用怕他们催 opens like 不用 (no need), but it answers nothing the customer asked."""
    asked = ("客户: 律师什么时候联系我？", "坐席: 律师会再跟您联络，您再等等。", "客户: 要等多久？")
    assert checks_on(auditor, *asked, "坐席: 不用怕他们催，您先别签字。", check="non_answer") == [1]
    assert checks_on(auditor, *asked, "坐席: 不用担心，两个工作日内律师一定联系您。", check="non_answer") == []


def test_a_negated_time_is_no_remedy_and_the_customers_not_knowing_is_no_non_answer(auditor: Auditor) -> None:
    """又不是今天就过期 names no time anything happens; 唔識都唔緊要 is about the customer."""
    unsure = ("客户: 违章处理完多久能同步？", "坐席: 这个说不好。", "客户: 那到底多久？",
              "坐席: 你急什么，又不是今天就过期。")
    assert checks_on(auditor, *unsure, check="non_answer") == [1]
    novice = ("客户: 我完全唔識揸車，報邊個好？", "坐席: 唔識都唔緊要：自動波牌只可以揸自動波。")
    assert checks_on(auditor, *novice, check="non_answer") == []


def test_a_customer_who_will_see_to_it_themself_has_left_the_question(auditor: Auditor) -> None:
    lines = ("客户: 覆核寫信寄去邊度？", "坐席: 地址同email呢啲我就唔清楚喇。",
             "客户: 咁……好啦，我自己再諗辦法。重考排期呢？", "坐席: 我check下最近嘅路試排期先。")
    assert checks_on(auditor, *lines, check="non_answer") == [1]


def test_an_offer_after_a_vague_deferral_does_not_remedy_it(auditor: Auditor) -> None:
    """The 2小时内 belongs to the service on offer, not to when someone will call."""
    asked = "客户: 专人什么时候联系我？我月底要对账。"
    pitch = "坐席: 会有人处理的，您放心。另外跟您介绍一下，我们的当日到服务交易完2小时内就能到账。"
    findings = findings_of(auditor, asked, pitch, "客户: 好吧。", "坐席: 嗯。", check="non_answer")
    assert [f.turn for f in findings] == [1]
    assert "“另外跟您介绍一下”之后说的是另一件事，不算答复" in findings[0].evidence
    ticket = "坐席: 这个我不清楚，另外我帮您登记了工单，24小时内工程师联系您。"
    assert checks_on(auditor, asked, ticket, "客户: 好吧。", "坐席: 嗯。", check="non_answer") == []


def test_an_echoed_either_or_question_is_not_an_answer(auditor: Auditor) -> None:
    lines = ("客户: 这个能退吗？", "坐席: 能不能退，我不确定。", "客户: 哦。", "坐席: 嗯。")
    assert checks_on(auditor, *lines, check="non_answer") == [1]


def test_an_answer_after_the_echo_still_answers(auditor: Auditor) -> None:
    lines = (
        "客户: 这个能退吗？",
        "坐席: 这个我不确定。",
        "客户: 那怎么办？",
        "坐席: 能不能退要看签收时间，您是三天前签收的，能退。",
    )
    assert checks_on(auditor, *lines, check="non_answer") == []


def test_a_new_topic_in_the_next_turn_does_not_answer(auditor: Auditor) -> None:
    lines = (
        "客户: 分期会不会影响征信？",
        "坐席: 这个我也不好说，您自己试试吧。",
        "客户: 好吧。",
        "坐席: 另外提醒您，可以在App里设置自动还款。",
    )
    assert checks_on(auditor, *lines, check="non_answer") == [1]


def test_a_next_turn_that_answers_before_moving_on_still_answers(auditor: Auditor) -> None:
    lines = (
        "客户: 积分什么时候能补上？",
        "坐席: 分店几时上传我不清楚，你问分店吧。",
        "客户: 分店电话多少？",
        "坐席: 分店电话是23886021。另外我帮您开了积分补录申请。",
    )
    assert checks_on(auditor, *lines, check="non_answer") == []
    moved_on = (*lines[:3], "坐席: 另外提醒您，会员日积分翻倍，分店电话是23886021。")
    assert checks_on(auditor, *moved_on, check="non_answer") == [1]


def test_a_customer_who_gives_up_is_not_answered_by_the_agents_next_turn(auditor: Auditor) -> None:
    lines = (
        "客户: 这个型号是不是有召回？",
        "坐席: 這個我不清楚，您自己問廠商吧。",
        "客户: 哦……好吧。那先幫我預約維修吧。",
        "坐席: 最快可以安排星期四上午，可以嗎？",
    )
    findings = findings_of(auditor, *lines, check="non_answer")
    assert [f.turn for f in findings] == [1]
    assert "第3轮客户说了“好吧”，不再追问，第4轮不算答复" in findings[0].evidence


def test_a_customer_who_moves_on_to_something_else_is_not_answered_by_the_next_turn(auditor: Auditor) -> None:
    asked = ("客户: 策划师什么时候回来？", "坐席: 这个我就不清楚了。")
    for moved_on in ("客户: ……那行吧，我回去再商量商量。", "客户: 知道了。对了，当天的跟拍摄影几点到酒店？",
                     "客户: 行，这事我回头再说。那当天的跟拍摄影几点到？", "客户: 哦……好啦，咁我自己再諗下。",
                     "客户: 喔好吧～那摄影几点到？", "客户: 好啦，我自己再打去問。"):
        lines = (*asked, moved_on, "坐席: 跟拍摄影师是早上6点半到酒店。")
        assert checks_on(auditor, *lines, check="non_answer") == [1], moved_on
    still_asking = (*asked, "客户: 那他大概哪天能回来？", "坐席: 他后天上午回来，回来第一时间给您回电。")
    assert checks_on(auditor, *still_asking, check="non_answer") == []


def test_an_opening_after_an_open_question_about_another_matter_answers_that_question(auditor: Auditor) -> None:
    lines = ("客户: 手表定位不准是怎么回事？", "坐席: 这个我说不好。", "客户: 那表带在哪里买？",
             "坐席: 可以在官方商城买。")
    findings = findings_of(auditor, *lines, check="non_answer")
    assert [f.turn for f in findings] == [1]
    assert "第3轮客户另问“那表带在哪里买？”" in findings[0].evidence
    follow_up = (*lines[:2], "客户: 那我现在怎么办？", "坐席: 可以先重启手表，再打开定位权限。")
    assert checks_on(auditor, *follow_up, check="non_answer") == []


def test_an_opening_after_a_new_yes_no_question_answers_that_question(auditor: Auditor) -> None:
    lines = (
        "客户: 这个月水费为什么用了42吨？",
        "坐席: 为什么用这么多，这个我也不清楚。",
        "客户: ……那我问一下，水费能不能在支付宝上交？",
        "坐席: 可以的，支付宝搜生活缴费，选水费，输入户号就能交。",
    )
    findings = findings_of(auditor, *lines, check="non_answer")
    assert [f.turn for f in findings] == [1]
    assert "第3轮客户另问“水费能不能在支付宝上交？”" in findings[0].evidence
    assert "第4轮的“可以”（直接答复）答的是新问题" in findings[0].evidence


def test_an_answer_before_the_agent_names_another_matter_does_not_answer_it(auditor: Auditor) -> None:
    # The customer asked two things; the agent answers the visit, then names the deposit and
    # says 不清楚 about it. The time frame said before answered the visit, not the deposit.
    lines = (
        "客户: 师傅哪天来？还有换光猫要不要交押金？",
        "坐席: 师傅已经排在明天下午两点到五点上门。押金的事我这边不太清楚。",
        "客户: 哦。",
        "坐席: 请问还有其他问题吗？",
    )
    findings = findings_of(auditor, *lines, check="non_answer")
    assert [f.turn for f in findings] == [1]
    assert findings[0].evidence == (
        "第2轮说了 “不太清楚”（不知其然）；第2轮（“明天下午”（时限）、“两点到五点”（时限）说在客户问的“押金的事”"
        "之前，不算它的答复）及下一轮（第4轮）都没有补救、查询/等待、时限、直接答复")


@pytest.mark.parametrize("lines", [
    # the matter restated as a question, or named in the clause before 这个, in Traditional
    ("客户: 货什么时候到？坏了能赔偿吗？", "坐席: 货明天中午前送到。能不能赔偿、赔多少现在不好说。"),
    ("客户: 居住证怎么续？社保断缴影不影响积分？",
     "坐席: 到期前30天内就能续签。社保断缴影不影响积分，这个我也不太了解。"),
    ("客户: 師傅哪天來？押金要交嗎？", "坐席: 師傅明天下午兩點到五點上門。押金的事我這邊不太清楚。"),
    # two questions in the customer's messages since the agent's last turn
    ("客户: 住院要多久？", "客户: 外县医保能报多少", "坐席: 住院一般五天。外县医保能报多少这个不好说哈。"),
    # the nearest name before the trigger is the matter: 至于 after an answered 关于
    ("客户: 退款到了吗？手续费退不退？", "坐席: 关于退款，已经为您提交，3个工作日内到账，至于手续费我不清楚。"),
    # or the name right after it in its clause
    ("客户: 师傅哪天来？押金要交吗？", "坐席: 师傅明天下午上门。我不太清楚押金的事。"),
    # questions asked before the agent only asked for details or announced a lookup
    ("客户: 违章要怎么处理 还有要收什么手续费", "坐席: 请您提供一下身份证后四位。", "客户: 3318",
     "坐席: 查到了，违章需要您本人在交管12123上处理。手续费这个我不太清楚哦。"),
    ("客户: 出院发票丢了能补吗？医保能报多少？", "坐席: 我把住院结算单调出来看看。",
     "坐席: 查到了，发票可以补一份复印件加盖结算章。医保能报多少这个不好说哈。"),
    ("客户: 草莓烂了好几个能退吗？还有配送费怎么收了6块？", "坐席: 非常抱歉，麻烦您拍一张草莓的照片发我一下哈。",
     "客户: [图片]", "坐席: 收到，已经为您申请全额退款，24小时内原路返回。配送费的问题我这边不太了解哦。"),
    # or before the agent's greeting, sent as turns of its own
    ("客户: 請問你們信義區那個充電站週末有開放嗎？另外超時佔位費是怎麼算的？", "坐席: 您好～", "坐席: 很高興為您服務！",
     "坐席: 信義區松仁站週末照常開放，今晚也開到十點。佔位費的部分我這邊不好說耶。"),
    ("客户: 这款热水器包安装吗？要交押金吗？", "坐席: 请问您买的是哪个型号？", "客户: JSQ30",
     "坐席: 包的，师傅明天就能上门。押金的事我这边不太清楚。"),
    ("客户: 我买的电视什么时候送 送的那个赠品有没有", "坐席: 好的，您手机号报一下。", "客户: 13800001234",
     "坐席: 电视明天下午送到。赠品的事我这边不太清楚。"),
    # speech recognition separates the questions with spaces, not marks
    ("客户: 退款要多长时间 手续费退不退", "坐席: 预计3个工作日内到账。手续费的话我这边不太清楚。"),
    # a matter the customer brought up beside their question is theirs too
    ("客户: 我之前交了手续费，这次退货能退吗？", "坐席: 可以退，3个工作日内原路退回，手续费的话我这边不太清楚。"),
    ("客户: 我張單咩時候先送到 運費可唔可以退返俾我", "坐席: 預計明天下午送到。運費的話我這邊唔太清楚。"),
    ("客户: 喂 你好 处方药上传处方以后 多久能发货 还有那个 能开发票吗 我要报销的",
     "坐席: 处方审核通过后当天发货。发票的话我不太清楚能不能开。"),
    # a time asked about is the matter left open when the turn gave no time frame before it
    ("客户: 退货要我自己寄吗？退款多久能到？",
     "坐席: 不用您寄，快递员上门取件。至于退款多久到账，这个我这边也不确定。"),
    ("客户: 二次報銷要自己申請嗎？錢什麼時候到？",
     "坐席: 不用個人申請，系統會統一計算。至於什麼時候到賬，這個我們醫院這邊也說不準。"),
])
def test_the_matter_named_before_the_trigger_is_unanswered_whatever_the_turn_answered_before(
    auditor: Auditor, lines: tuple[str, ...]
) -> None:
    assert checks_on(auditor, *lines, check="non_answer") == [len(lines) - 1]


@pytest.mark.parametrize("lines", [
    # the remedy follows the matter it names
    ("客户: 师傅哪天来？押金要交吗？", "坐席: 押金的事我这边不太清楚，我帮您问一下营业厅，请稍等。"),
    ("客户: 师傅哪天来？押金要交吗？", "坐席: 明天下午上门，押金这个我不太清楚，押金得问营业厅，电话是10010。"),
    # a hedge on a detail of what was just answered (具体 / 详细) is no other matter
    ("客户: 师傅几点能到？", "坐席: 师傅明天下午两点到五点上门，具体几点的话我这边也不确定。"),
    ("客户: 我的退款什么时候到？", "坐席: 已经帮您提交了，3到5个工作日原路退回，具体到账时间的话我这边不清楚。"),
    ("客户: 我的投诉有结果了吗？", "坐席: 已经帮您催促了，24小时内会有专员联系您，具体的情况我这边也不太清楚。"),
    ("客户: 师傅几点能到？", "坐席: 師傅明天下午兩點到五點上門，具體幾點的話我這邊也不確定。"),
    # what the agent names was never asked: the customer's question has its answer
    ("客户: 快递什么时候到？", "坐席: 您的包裹明天上午送到，派送时间这块我这边也不确定。"),
    ("客户: 宽带什么时候能修好？",
     "坐席: 已经给您派单了，师傅今天下午五点前会联系您，故障原因方面我这边暂时还不清楚。"),
    ("客户: 什么时候能发货？", "坐席: 这款明天就能发货，快递的话一般两三天到，具体哪天到这个不好说。"),
    ("客户: 宽带什么时候能修好？", "坐席: 已经给您加急了，48小时内处理完，怎么修的我这边也不清楚。"),
    # what follows the trigger names nothing asked: 为什么这么慢
    ("客户: 快递怎么还没到？", "坐席: 已经帮您催了，明天送到，我也不清楚为什么这么慢。"),
    # one question asked: a caveat after its answer is about the same matter (a review's cases)
    ("客户: 退款什么时候能到账？", "坐席: 预计1-3个工作日到账。退款的话银行那边我这边也说不准。"),
    ("客户: 押金能退吗？", "坐席: 押金可以退，三个工作日内到账，押金利息这个有没有我不太清楚。"),
    # two questions, one answered before the latest: what is left is the one asked last
    ("客户: 退款什么时候到账？手续费退不退？", "坐席: 手续费可以退的。", "客户: 那退款呢？",
     "坐席: 预计1-3个工作日到账。退款的话我这边也说不准。"),
    # spaces between a question's words are no clauses of their own, and the same question
    # asked twice, a line check or a chat opener asks about nothing else (a review's cases)
    ("客户: 喂 我那个退款 什么时候能到账啊 多久能到", "坐席: 预计1-3个工作日到账。退款的话我这边也说不准。"),
    ("客户: 我买的书包 什么时候发货 今天能发吗",
     "坐席: 亲，今天下午五点前发出哦。发货的话我这边也不确定走哪家快递哈。"),
    ("客户: 这件呢子大衣 今天能发货吗", "坐席: 可以的，今天下午五点前发出。大衣这个我这边也不确定是哪个仓发哦。"),
    ("客户: 我这个吹风机买了没多久就不出热风了 能换新的吗",
     "坐席: 可以换新的，您在订单页点申请售后就行。吹风机这个我这边也不确定还有没有同款现货哈。"),
    ("客户: 喂 喂 听得到吗", "坐席: 您好，听得到的，请讲。", "客户: 我那个洗衣机报修了 师傅什么时候来",
     "坐席: 师傅明天上午上门。洗衣机的话我这边也说不准哈。"),
    ("客户: 在吗", "坐席: 您好，在的，请问有什么可以帮您？", "客户: 我退款什么时候到账",
     "坐席: 预计1-3个工作日到账。退款的话我这边也说不准哦。"),
    # a caveat on the answer (a risk, what comes later) is no other matter (a second review's cases)
    ("客户: 我买的年货什么时候能到啊", "客户: 能不能放快递柜",
     "坐席: 亲，已经帮您备注放快递柜啦~预计后天送达哦。年货的话最近下雪路上可能会有延误，这个我这边也说不准呢。"),
    ("客户: 會員怎麼續費啊", "客户: 現在續費有優惠嗎",
     "坐席: 在APP“我的-會員中心”點續費就可以，現在續費有八折活動哦。活動月底截止，之後還有沒有優惠我這邊不清楚哦。"),
    # a turn that looked something up and answered did answer: the question before it is closed
    ("客户: 我想问下 我那个订单发货了吗", "坐席: 我帮您查一下，请稍等。您的订单已经发出了，走的中通。",
     "客户: 哦 那快递大概几天能到", "坐席: 正常的话预计2到3天送到。快递的话我这边也说不准哈。"),
    ("客户: 我的 退款 什么时候 能到账", "坐席: 预计1-3个工作日到账。退款的话银行那边我这边也说不准。"),
    # two questions, both answered; the time asked again is a detail of the time given
    ("客户: 快递什么时候到？能送货上门吗？", "坐席: 预计明天下午送到，可以送货上门。快递几点到我这边不太确定。"),
    # 这个 names nothing: it points at what was asked
    ("客户: 师傅哪天来？", "坐席: 明天下午两点到五点上门，这个我不清楚具体几点，师傅出发前会打电话给您。"),
    ("客户: 机器什么时候寄回？", "坐席: 我们收到机器会在15个工作日之内发回去，一般都是按照这个周期，也会尽快处理。"),
])
def test_a_turn_that_answers_the_matter_it_names_or_names_none_asked_is_no_non_answer(
    auditor: Auditor, lines: tuple[str, ...]
) -> None:
    assert checks_on(auditor, *lines, check="non_answer") == []


def test_a_remedy_after_a_new_question_still_cancels(auditor: Auditor) -> None:
    lines = (
        "客户: 为什么扣了两次费？",
        "坐席: 这个我不清楚。",
        "客户: 那能退吗？",
        "坐席: 可以，我马上帮您申请退款，24小时内原路退回。",
    )
    assert checks_on(auditor, *lines, check="non_answer") == []


@pytest.mark.parametrize(
    "between",
    [
        "客户: 是吗？",
        "客户: 哦是吗",
        "客户: 是这样吗？",
        "客户: 那你们能不能派人来看看啊？",
        "客户: 那你能帮我问问吗？",
        "客户: 那你查一下好吗？",
        "客户: 那你们查一下行不行？",
        "客户: 那能不能帮忙查一下？",
        "客户: 那能不能派个师傅来看看？",
        "客户: 那你们去核实一下可以吗？",
        "客户: 那空调到底能不能制冷？",
        "客户: 型号是KFR-35GW，这样有帮助吗？",
        "客户: 主要是空调，遥控器有没有都行。",
        "系统: 请问是否需要转接人工服务？",
    ],
)
def test_an_acknowledgement_a_request_for_the_remedy_or_the_same_question_is_no_new_question(
    auditor: Auditor, between: str
) -> None:
    lines = ("客户: 空调为什么不制冷？", "坐席: 这个我说不好。", between, "坐席: 可以的，型号报一下，还有地址。")
    assert checks_on(auditor, *lines, check="non_answer") == []


def test_the_latest_question_decides_what_an_opening_answers(auditor: Auditor) -> None:
    lines = (
        "客户: 洗衣机为什么一直漏水？",
        "坐席: 这个我不清楚。",
        "客户: 那能退货吗？",
        "客户: 你能帮我问问师傅吗？",
        "坐席: 可以的。",
    )
    assert checks_on(auditor, *lines, check="non_answer") == []


def test_a_question_asked_again_after_an_aside_is_the_same_question(auditor: Auditor) -> None:
    lines = (
        "客户: 这个能退吗？",
        "坐席: 您稍等。",
        "客户: 好。",
        "坐席: 这个我不清楚。",
        "客户: 那到底能不能退？",
        "坐席: 可以的。",
    )
    assert checks_on(auditor, *lines, check="non_answer") == []


@pytest.mark.parametrize("question", ["那能退吗？", "那你们能退吗？"])
def test_asking_whether_they_can_have_something_is_a_new_question(auditor: Auditor, question: str) -> None:
    lines = ("客户: 为什么扣了两次费？", "坐席: 这个我不清楚。", f"客户: {question}", "坐席: 可以的。")
    assert checks_on(auditor, *lines, check="non_answer") == [1]


def test_a_long_complaint_does_not_make_every_question_the_same_one(auditor: Auditor) -> None:
    lines = (
        "客户: 我这洗衣机一直修不好，师傅来了三次，每次换了个零件就走，用两天又坏，一台机器折腾了一个月，"
        "你们到底怎么回事？",
        "坐席: 这个我不清楚。",
        "客户: 那我能不能直接换一台新的？",
        "坐席: 可以的。",
    )
    assert checks_on(auditor, *lines, check="non_answer") == [1]


def test_an_open_question_after_a_yes_no_one_is_what_the_opening_answers(auditor: Auditor) -> None:
    lines = (
        "客户: 洗衣机为什么一直漏水？",
        "坐席: 这个我不清楚。",
        "客户: 那能退货吗？",
        "客户: 那我现在怎么办？",
        "坐席: 可以的，您先拍照发给我。",
    )
    assert checks_on(auditor, *lines, check="non_answer") == []


@pytest.mark.parametrize(
    ("asked", "quoted"),
    [
        ("我家那台1.5匹的空调能不能先移机？", "另问“我家那台1.5匹的空调能不能先移机？”"),
        ("我想问一下就是我们家里面那台用了好多年的老空调能不能先移机", "另问“…"),
    ],
)
def test_the_quoted_question_is_its_clause(auditor: Auditor, asked: str, quoted: str) -> None:
    lines = ("客户: 空调为什么不制冷？", "坐席: 这个我不清楚。", f"客户: {asked}", "坐席: 可以的。")
    findings = findings_of(auditor, *lines, check="non_answer")
    assert quoted in findings[0].evidence


@pytest.mark.parametrize(
    "asked",
    [
        "我的手机号是138\u30001234\u30005678这这这这这这这这这个号码是不是停机了？",
        "我的号码是不是停机了我的号是138 1234 5678",
        "我的号码是不是停机了我的号是138.1234.5678",
    ],
)
def test_the_quoted_question_never_shows_digits_the_mask_hides(auditor: Auditor, asked: str) -> None:
    lines = ("客户: 为什么扣了我两百块？", "坐席: 这个我不清楚。", f"客户: {asked}", "坐席: 没有，号码正常。")
    findings = findings_of(auditor, *lines, check="non_answer")
    assert findings and "1234" not in mask_text(findings[0].evidence)


def test_an_agent_asking_with_neng_fou_gives_no_answer(auditor: Auditor) -> None:
    lines = ("客户: 我的卡为什么被停了？", "坐席: 这个我不清楚，能否麻烦您自己去营业厅问一下？")
    assert checks_on(auditor, *lines, check="non_answer") == [1]


def test_the_quoted_question_never_shows_part_of_a_number(auditor: Auditor) -> None:
    lines = (
        "客户: 为什么扣了我两百块？",
        "坐席: 这个我不清楚。",
        "客户: 13812345678我想问一下我这个手机号码是不是已经停机了？",
        "坐席: 没有，号码正常。",
    )
    findings = findings_of(auditor, *lines, check="non_answer")
    assert [f.turn for f in findings] == [1]
    masked = mask_text(findings[0].evidence)
    assert "另问“138****5678我想问一下我这个手机号码是不是已经停机了？”" in masked
    assert "1234" not in masked


def test_a_remedy_after_a_followup_question_still_cancels(auditor: Auditor) -> None:
    lines = ("客户: 为什么扣了两次费？", "坐席: 这个我不清楚。", "客户: 那怎么办？", "坐席: 我帮您查一下，请稍等。")
    assert checks_on(auditor, *lines, check="non_answer") == []


def test_the_customer_saying_dont_know_is_not_a_non_answer(auditor: Auditor) -> None:
    assert checks_on(auditor, "客户: 我也不知道怎么弄。", "坐席: 您在App首页点“报修”就可以。", check="non_answer") == []


@pytest.mark.parametrize(
    "sentence",
    [
        "我帮您查一下。",
        "好的，我查询一下。",
        "我核实一下您的保单。",
        "我看一下系统记录。",
        "我幫您查一下。",
        "我这边确认一下航班信息。",
        "我帮您联系一下维修师傅。",
        "不好意思，我帮您核实一下。",
        "好，我幫您看看。",
        "我帮您看看号源。",
        "我查查。",
        "让我瞅瞅您的订单。",
        "等我一下。",
        "我帮您核对一下信息。",
        "我去后台看看。",
        "我找一下主管确认。",
        "我先在后台看看能不能给孩子解锁。",
    ],
)
def test_a_lookup_without_a_polite_wait_is_a_hold_finding(auditor: Auditor, sentence: str) -> None:
    assert checks_on(auditor, f"坐席: {sentence}", check="hold") == [0]


@pytest.mark.parametrize(
    "sentence",
    [
        "好的，我帮您查一下，请稍等。",
        "请您稍候，我核实一下保单。",
        "麻烦您稍等一下，我帮您看一下。",
        "我幫您查詢一下，請稍候。",
        "您可以在App里查看一下物流信息。",
        "已为您登记报修，24小时内师傅联系您。",
        "稍等，我查一下。",
        "我们可以帮您看看合适的套餐。",
        "请稍等，我帮您核对一下信息。",
        "稍等我一下喔，我看一下行程纪录。",
        "您先看看系统通知，已经发货了，明天送达。",
        "配送员会提前打电话确认位置，明天上午送到。",
        "方便发图给我看看吗？",
        "你可以影張相俾我睇吓樓下主機嘅型號貼紙嗎？",
    ],
)
def test_polite_holds_and_non_holds_are_not_flagged(auditor: Auditor, sentence: str) -> None:
    assert checks_on(auditor, f"坐席: {sentence}", check="hold") == []


@pytest.mark.parametrize(
    "first",
    [
        "您好，欢迎致电12345政务服务热线，很高兴为您服务。",
        "您好，请讲。",
        "下午好，航空客服，请问有什么可以帮您？",
        "您好，這裡是遠聯保險，很高興為您服務。",
        "喂，您好，宽带客服，请问有什么可以帮到您？",
        "早安，有什么需要帮助的吗？",
        "您好，請問有甚麼可以幫到您？",
        "你好，有什么需要帮忙的吗？",
        "您好，有什麼可以協助您的呢？",
        "你好，有啥子可以帮你的？",
        "您好，XX电力95598，请问您需要什么帮助？",
        "您好，请问有什么可以帮忙的？",
        "尊敬的客戶您好，請問有什麼可以為您效勞？",
        "您好，这里是XX保险客服中心，请问您要报案还是咨询？",
        "您好，我是您的专属客服小张，有任何问题都可以问我哦。",
        "早晨，XX客戶服務熱線，請問有咩可以幫你？",
    ],
)
def test_complete_greetings(auditor: Auditor, first: str) -> None:
    assert checks_on(auditor, f"坐席: {first}", "客户: 你好。", check="greeting") == []


@pytest.mark.parametrize(
    "lines",
    [
        ("坐席: 您好，燃气公司客服。", "客户: 你好。"),
        ("坐席: 请问有什么可以帮您？", "客户: 你好。"),
        ("坐席: 您好。", "坐席: 很高兴为您服务，请问有什么可以帮您？"),
        ("系统: 您好，欢迎光临，请问有什么可以帮您？", "坐席: 在的。"),
    ],
)
def test_incomplete_greetings(auditor: Auditor, lines: tuple[str, ...]) -> None:
    assert len(checks_on(auditor, *lines, check="greeting")) == 1


def test_greeting_evidence_names_each_stretch_of_words_once(auditor: Auditor) -> None:
    # Two spellings of 请问您需要办理 match the same words, and 为您服务 sits inside 竭诚为您服务.
    [finding] = findings_of(auditor, "坐席: 请问您需要办理什么业务？竭诚为您服务。", "客户: 查话费。", check="greeting")
    assert finding.evidence == "坐席首句有服务用语 “请问您需要办理”、“竭诚为您服务”，缺问候语"


@pytest.mark.parametrize("blank", ["", "  ", "……", "。"])
def test_a_blank_speech_recognition_segment_is_not_the_opening_nor_the_close(auditor: Auditor, blank: str) -> None:
    findings = auditor.findings(conversation(
        f"坐席: {blank}", "坐席: 您好，工号1024，很高兴为您服务，请问有什么可以帮您？", "客户: 我想查一下话费。",
        "坐席: 好的，本月话费58元。", "坐席: 感谢您的来电，再见。", "客户: 再见。", f"坐席: {blank}", f"坐席: {blank}",
    ))  # fmt: skip
    assert [f.rule_id for f in findings if f.check in ("greeting", "identification", "closing")] == []


def test_a_missing_greeting_marks_no_words_the_agent_said_right(auditor: Auditor) -> None:
    """Reports paint a finding's words red as the problem; for a missing offer of help the
    problem is what was not said, so the 您好 that was said must not be those words."""
    [finding] = findings_of(auditor, "坐席: 您好，这里是售后。", "客户: 我的洗衣机坏了。", check="greeting")
    assert finding.message == "开场白不完整，缺少：服务用语"
    assert finding.matched == () and finding.spans == ()
    assert "“您好”" in finding.evidence


@pytest.mark.parametrize(
    "last",
    [
        "好的，感谢您的来电，再见！",
        "不客气，祝您旅途愉快。",
        "感谢您的耐心等待，祝您生活愉快。",
        "欢迎再次咨询。",
        "謝謝您的來電，再見。",
        "拜拜。",
        "不用客氣，多謝您的來電。",
        "多谢您的查询。",
        "期待再次为您服务。",
        "谢谢亲的支持，欢迎下次再来~",
    ],
)
def test_courteous_closes(auditor: Auditor, last: str) -> None:
    assert checks_on(auditor, "坐席: 您好，请讲。", "客户: 没问题了。", f"坐席: {last}", check="closing") == []


@pytest.mark.parametrize("last", ["好的。", "有问题再打过来。", "嗯，那先这样。"])
def test_missing_closes(auditor: Auditor, last: str) -> None:
    assert checks_on(auditor, "坐席: 您好，请讲。", "客户: 没问题了。", f"坐席: {last}", check="closing") == [2]


def test_a_bare_acknowledgement_in_the_next_turn_is_not_an_answer(auditor: Auditor) -> None:
    lines = ("客户: 这款空调支持变频吗？", "坐席: 这个我不太了解。", "客户: 就这样？", "坐席: 是的，不好意思。")
    assert checks_on(auditor, *lines, check="non_answer") == [1]


@pytest.mark.parametrize(
    "remedy",
    [
        "我现在帮您远程重启一下光猫，请稍等。",
        "确认了，方案有包含亚洲地区的国际漫游。",
        "您在支付宝“账单-退款详情”里可以查看具体到账时间。",
        "好的，您的退款预计明天到账。",
        "原因已经上报技术部门，本周五前给您答复。",
        "麻烦您通过私信提供一下手机号码，我们核实后回复您。",
    ],
)
def test_more_remedies_in_the_next_turn_cancel_professed_ignorance(auditor: Auditor, remedy: str) -> None:
    lines = ("客户: 为什么我的网速这么慢？", "坐席: 具体原因我也说不上来。", "客户: 那怎么办？", f"坐席: {remedy}")
    assert checks_on(auditor, *lines, check="non_answer") == []


@pytest.mark.parametrize(
    "remedy",
    [
        "已经帮您提交催件工单啦，今天18:00前会有专员给您回复。",
        "滨江区教育局招生办电话 0571-8770-1234，工作日可以咨询。",
        "上楼费每层10元，这个费用店铺帮您承担哦。",
    ],
)
def test_a_concrete_remedy_in_the_next_turn_cancels_a_deflection(auditor: Auditor, remedy: str) -> None:
    lines = ("客户: 那我去问谁？", "坐席: 你找区教育局去吧。", "客户: 那怎么联系？", f"坐席: {remedy}")
    assert checks_on(auditor, *lines, check="non_answer") == []


@pytest.mark.parametrize(
    "deferral",
    [
        "具体要财务核算的，您等财务联系您吧。",
        "你嘅訂金退款會由財務部處理，佢哋遲啲會聯絡你。",
        "我已经备注了您的情况,您留意一下电话。",
        "少送餐品的问题您直接联系商家吧。",
        "高速费的事您直接问司机吧，是他填的。",
        "反正修好了自然就有气了，就这样吧。",
        "这个我不太清楚，您可以问问业委会。",
        "您自己再翻翻App上的通知吧。",
        "呢個我都唔太清楚係點計嘅，你可以自己上網睇吓。",
        "水壓小不一定是我們這邊的問題，您可以找水電行來看看。",
        "夜间施工的话，一般是施工单位的事，您可以先找他们协商一下。",
        "這個部分您要先去找特店處理喔，退款要看他們。",
        "办卡时业务员怎么跟您承诺的，我这边没法知道，您可以找当时给您办卡的业务员问问。",
        "您可以问问您的律师,或者自己上网搜一下。",
        "速遞公司嗰邊你要自己問返佢哋啦。",
        "我剛剛已經講得很清楚了，您自己打去財政部問吧。",
        "调度是车站管的，您还是在现场问问车站工作人员吧。",
        "您可以自己先跟店主沟通一下，实在不行再找有关部门。",
        "反正我们系统里没有这个标记,您再去问问社区吧.",
        "修好了会发通知的。",
        "嗯，您先等等吧。",
        "要睇部門處理進度，我哋會盡快。",
        "應該冇咁快，你哋留意電話啦。",
        "这个我也没法保证,药师那边排到了自然就审了。",
        "你講咗幾多次啦，師傅得閒自然會嚟。",
        "缺没缺我这儿看不到。",
        "我哋會跟進嘅。",
        "有同事會聯絡你嘅。",
        "投訴嗰邊會有同事睇。",
        "这个要等管理人安排，回头有人通知您。",
        "你等海關通知啦。",
        "呢啲冇得預計㗎。",
        "积分的事您还是得去门店服务台问。",
        "我这边联系不上餐厅，您到时候跟店里商量一下吧。",
        "咁你可以同業主自己傾下。",
        "这个要等公司安排吧。",
        "在首页找找吧,应该有的。",
        "這個要去問管理處喔。",
        "我這邊沒有管理處的電話耶。",
        "呢個我哋唔會知。",
        "你遲啲再留意吓張卡啦,可能會自己退返。",
        "審批時間係由領事館決定,我哋呢邊冇辦法知,你直接問下領事館啦.",
        "私教退费是门店财务处理的,您直接去找门店经理吧.",
        "呢啲版權安排我哋前線都唔會知㗎。",
        "眼鏡做好未要問分店先知，你直接打去旺角分店問啦",
        "丢没丢这个不好说，您可以先去问问快递公司。",
        "可能吧，您可以再问问其他人。",
        "越南那邊的清關,我們會再請人跟您聯繫。",
        "师傅都出去了，等他们回来再说吧。",
        "回头有人了再说吧。",
        "回头让维修的人看看吧。",
        "几点到这个沒辦法講得太準。",
        "您还是问问主治医生吧。",
        "这个您可能得再问问医生看看。",
        "您到了营业厅再问问。",
        "会有人过来看的。",
        "下周再说吧。",
        "这个您就先放着吧。",
        "这个回头会有主管联系您的。",
        "你等门市通知啦。",
        "您可以直接问问快递公司哈。",
        "你去其他醫院睇下啦。",
        "您要不要自己打给物流公司问问看。",
        "这个您到了机场问问航空公司那边吧。",
        "或者你打去水務署問吓。",
        "这个确实没办法。",
        "我们这边也就只能这样了。",
        "我只是负责预约的而已。",
        "我这边说了不算，得看领导。",
        "您再找找其他同事问问吧。",
        "押金您自己跟物业商量。",
        "就是财务在处理，要看他们。",
        "之后会有理赔人员跟您联络。",
        "等会计联系您吧。",
        "这个要请您朋友去问她那边的银行喔。",
        "审核多久不是我们说了算。",
        "这个不归我们线上客服管。",
        "那您打税务局电话问问吧。",
        "您还是找前台说吧。",
        "那你就接着等呗。",
        "師傅會再搵你㗎啦。",
        "我哋會跟進㗎啦。",
        "你等下消息啦。",
        "解釋不了。",
        "退貨你可以問問超市。",
        "您可以直接问问厂家。",
        "您找厂家报修就行。",
        "这个后面会有人跟您对接的。",
        "就現場問比較準啦。",
        "我冇佢哋電話。",
        "等骑手开机吧。",
        "我都说了找超市。",
        "您可能要问一下代理商。",
        "需要您自己去联系厂商。",
        "您先用着吧。",
        "師傅做完手頭上嗰單就會聯絡你㗎啦。",
        "網站上面應該有寫。",
    ],
)
def test_vague_deferrals_and_deflections_without_a_contact_are_non_answers(auditor: Auditor, deferral: str) -> None:
    assert checks_on(auditor, "客户: 这个事到底怎么处理？", f"坐席: {deferral}", check="non_answer") == [1]


@pytest.mark.parametrize(
    "answer",
    [
        "退款已经原路退回了，您留意一下短信。",
        "您的快递已经在派送中了，快递员晚点会联系您。",
        "这个我不太清楚，您可以问问业委会，电话是0571-88886666。",
        "具体原因我不清楚，不过新注册的账号30天内不能修改实名信息。",
        "意外属于无法预计的情况，在保障范围内都可以赔付。",
        "如果之后有人联系您要验证码，请不要提供，那是诈骗。",
        "我们会跟进的，明天中午前给您回复。",
        "可以自带，到时候您跟店里说一声就行，不收开瓶费。",
        "您在首页找找吧，入口在右上角的“证件办理”里。",
        "能退多少要看商品的使用情况，没拆封的全额退。",
        "已经退了，您晚点留意一下短信就行。",
        "您是12月2号申请的，一般3个工作日内到账。",
        "明白。不知道叔叔阿姨平时有没有高血压、糖尿病这类慢性病？",
        "唔系我跟嘅，我而家帮你转去售后部，请稍等。",
        "已经派单了，今天下午四点前会有人上门看。",
        "您先放着吧，快递员明天上午上门取件。",
        "会有店长联系您，今天下午五点前。",
        "这个真的没办法，不过我可以帮您申请一张50元补偿券，24小时内到账。",
        "文件齐全的话，三个工作日内会有理赔人员跟您联系。",
        "等师傅联系您吧，他今天下午四点前会打给您。",
        "您先用着吧，师傅明天上午十点前上门换设备。",
    ],
)
def test_an_answer_beside_a_pointer_or_a_later_call_is_not_a_non_answer(auditor: Auditor, answer: str) -> None:
    assert checks_on(auditor, "客户: 这个事到底怎么处理？", f"坐席: {answer}", check="non_answer") == []


@pytest.mark.parametrize(
    "lines",
    [
        ("客户: 点解我订嘅房冇咗？", "坐席: 第三方平台訂嘅房唔關我哋事，你自己搵返個平台啦。",
         "客户: 平台電話打唔通，你哋仲有冇房？", "坐席: 今晚已經冇房。"),
        ("客户: 额度为什么降了？", "坐席: 具体原因我这边也不知道。",
         "客户: 那能不能调回去？", "坐席: 调回去是不行的，降额之后六个月内都不能处理。"),
    ],
)
def test_a_time_that_says_what_will_not_happen_is_no_time_frame(auditor: Auditor, lines: tuple[str, ...]) -> None:
    assert checks_on(auditor, *lines, check="non_answer") == [1]


def test_a_cantonese_transfer_in_the_next_turn_cancels_a_deflection(auditor: Auditor) -> None:
    lines = ("客户: 點解夜晚咁慢？", "坐席: 呢啲技術問題你去問技術部啦。", "客户: 技術部電話幾多號？",
             "坐席: 唔好意思，我而家直接幫你轉駁去技術支援部，請稍等。")
    assert checks_on(auditor, *lines, check="non_answer") == []


@pytest.mark.parametrize(
    "sneer", ["我都说得很清楚了，每件23公斤，这么简单还看不明白吗？", "这你都不知道？招生章程第五条写着。",
              "填个表都搞不明白吗？照着模板填就行。"]
)
def test_not_knowing_thrown_at_the_customer_is_a_taboo_not_the_agents_ignorance(auditor: Auditor, sneer: str) -> None:
    lines = ("客户: 行李到底怎么算？", f"坐席: {sneer}")
    assert checks_on(auditor, *lines, check="prohibited") == [1]
    assert all("知道" not in f.evidence and "明白" not in f.evidence
               for f in findings_of(auditor, *lines, check="non_answer"))


def test_a_cantonese_you_ask_me_who_do_i_ask_is_a_taboo_and_no_answer(auditor: Auditor) -> None:
    lines = ("客户: 咁要等幾耐呀？", "坐席: 你問我，我問邊個呀？理賠部又唔係我。")
    assert [f.rule_id for f in findings_of(auditor, *lines, check="prohibited")] == ["PRO004"]
    assert checks_on(auditor, *lines, check="non_answer") == [1]


@pytest.mark.parametrize("lookup", ["急什么，我这不是在查吗。", "我再確認一下您去年的退租紀錄。",
                                    "好，我幫您調一下這筆貸款的利率紀錄。", "我现在帮您做一下远程检测。",
                                    "我这就去核一下您这个案件卡在哪一步。", "我再问问他具体位置。",
                                    "好的，我根据您的来电号码查一下订阅记录。",
                                    "好，我登后台看一下您这台主机的数据库状态。",
                                    "我直接联系一下仓库。", "收到，我帮你对一对记录。",
                                    "可以，我备注一下，再看一下仓库有没有新批次。", "我而家聯絡緊師傅。",
                                    "我咪查緊囉。", "好的，我这边先调一下这条线路今天的流量图。"])
def test_more_lookups_without_a_polite_wait(auditor: Auditor, lookup: str) -> None:
    assert checks_on(auditor, "客户: 到底怎么回事？", f"坐席: {lookup}", check="hold") == [1]


def test_confirming_with_the_customer_is_no_lookup(auditor: Auditor) -> None:
    assert checks_on(auditor, "客户: 我要退货。", "坐席: 我再确认一下，您是要退货不是换货，对吧？", check="hold") == []


def test_fetching_the_policy_terms_is_a_remedy(auditor: Auditor) -> None:
    text = "坐席: 洗牙有沒有在保障範圍，我這邊不太確定，我幫您調保單條款出來確認，麻煩您稍等。"
    assert checks_on(auditor, "客户: 洗牙能赔吗？", text, check="non_answer") == []


def test_a_customer_giving_up_twice_over_leaves_the_question_unanswered(auditor: Auditor) -> None:
    lines = (
        "客户: 维修基金要找谁？",
        "坐席: 业委会的电话我这边也不清楚，您在业主群里问问吧。",
        "客户: 算了算了，跟你说不明白。那楼道灯总能修吧？",
        "坐席: 这个可以，我现在就给您登记报修，今天下午6点前电工上门。",
    )
    assert checks_on(auditor, *lines, check="non_answer") == [1]


def test_a_past_date_or_a_pointer_to_what_is_not_there_remedies_nothing(auditor: Auditor) -> None:
    past = "坐席: 您这边12月5日确实有两条记录，为什么会有这条补扣，我这边也不清楚是什么原因。"
    assert checks_on(auditor, "客户: 为什么扣了两次？", past, check="non_answer") == [1]
    nothing = "坐席: 这个我真不清楚，反正App上没有的活动我们这边也没法弄。"
    assert checks_on(auditor, "客户: 海报上的活动怎么参加？", nothing, check="non_answer") == [1]


def test_blaming_the_booking_and_passing_it_to_another_desk_are_taboos(auditor: Auditor) -> None:
    for said in ("订的时候不看清楚，您订的是中山路店。", "课程退费不是我们会员服务管的。",
                 "付款系統嗰邊唔關我哋客服事，我哋處理唔到。", "售後唔係我跟嘅。", "你有本事去投诉也行。",
                 "我都说了两三个工作日了，您往上翻翻聊天记录好吧。"):
        assert checks_on(auditor, "客户: 这怎么回事？", f"坐席: {said}", check="prohibited") == [1]
    kind = "坐席: 没关系，下单的时候没看清楚很正常，我帮您改一下。"
    assert checks_on(auditor, "客户: 订错了怎么办？", kind, check="prohibited") == []


def test_the_customers_own_plan_for_later_ends_the_question_unless_they_still_ask(auditor: Auditor) -> None:
    opening = ("客户: 发票为什么验不了？", "坐席: 这个我也说不准，不好讲。")
    planned = (*opening, "客户: 那我明天再查一次看看吧", "坐席: 嗯，可以。")
    assert checks_on(auditor, *planned, check="non_answer") == [1]
    still_asking = (*opening, "客户: 那我明天再打电话来问，你们能不能先帮我查一下？",
                    "坐席: 可以的，我现在就帮您查，请稍等。")
    assert checks_on(auditor, *still_asking, check="non_answer") == []


@pytest.mark.parametrize(
    "brush_off",
    ["核赔不对外接电话，您要是觉得不合理，自己看着办吧。", "你轉出去嘅錢已經入咗對方戶口，唔關我哋銀行事㗎。"],
)
def test_leaving_the_customer_to_it_is_a_non_answer(auditor: Auditor, brush_off: str) -> None:
    assert checks_on(auditor, "客户: 那我该怎么办？", f"坐席: {brush_off}", check="non_answer") == [1]


def test_leaving_the_decision_to_the_customer_once_told_everything_is_no_non_answer(auditor: Auditor) -> None:
    lines = ("客户: 到底买哪个好？", "坐席: 价格都跟你说清楚了，那就自己看着办吧。")
    assert checks_on(auditor, *lines, check="non_answer") == []


def test_i_cannot_conjure_up_more_staff_is_a_non_answer(auditor: Auditor) -> None:
    lines = ("客户: 师傅到底什么时候来？", "坐席: 师傅一天就那么几个人，我也变不出人来。")
    assert checks_on(auditor, *lines, check="non_answer") == [1]


@pytest.mark.parametrize(
    ("reply", "flagged"),
    [
        ("点会唔关我哋银行嘅事呢，你放心，我哋一定跟到底。", []),
        ("都跟你说了我不知道，自己看着办吧。", [1]),
    ],
)
def test_a_denied_brush_off_is_none_and_ignorance_told_twice_stays_a_non_answer(
    auditor: Auditor, reply: str, flagged: list[int]
) -> None:
    assert checks_on(auditor, "客户: 我的钱还能追回来吗？", f"坐席: {reply}", check="non_answer") == flagged


@pytest.mark.parametrize(
    "lines",
    [
        # a time of the past is no time frame
        ("客户: 登录不了怎么办？",
         "坐席: 今天上午我们这边也收到了几家企业类似的反馈，技术那边应该在处理了，您再等等吧。"),
        # 不用 scolding opens like an answer and answers nothing
        ("客户: 为什么扣了两次？", "坐席: 这个我这边也说不准。", "客户: 那你们总得有人说得准吧？",
         "坐席: 不用翻来覆去说好几遍。"),
        # waiting and seeing is no answer
        ("客户: 你们能派人来量水压吗？", "坐席: 有没有这个服务我不太确定。", "客户: 那我该怎么办？",
         "坐席: 您可以先观察几天看看。"),
        # asking for the number is none given
        ("客户: 可唔可以搭早啲嗰班車？", "坐席: 我唔知喎，你問下車站啦。", "客户: 咁車站電話幾多號？",
         "坐席: 車站電話幾多號我都冇。"),
        # a day to go there and see is no time frame
        ("客户: 丢了的票能补吗？", "坐席: 能不能补我也不太清楚，您明天提前去车站再说吧。"),
        # the question echoed is no remedy: 调了多少 is asked, not done
        ("客户: 利息怎么少了？是不是调了？", "坐席: 利率调了多少，这个我真说不准。"),
        # the day in the question, and a day something already happened, are no time frames
        ("客户: 明天船开不开？", "坐席: 明天开不开，这个现在说不好。"),
        ("客户: 维修到哪一步了？", "坐席: 手机11月5号已经签收了，检测那边会联系您的，您再等等吧。"),
        # thinking it over, and the day of an event, are no answer and no time frame
        ("客户: 转寄点收费？", "坐席: 呢個我唔太清楚喎。", "客户: 你都唔清楚？", "坐席: 你可以考慮下先。"),
        ("客户: 报告下周三前能好吗？", "坐席: 来不来得及我也不敢保证。另外检查当天建议您安排人陪同。"),
        ("客户: 饮料里有异物怎么办？", "坐席: 您的订单是5月3号收到的。情况我们记下了，后面会有人跟进的。"),
        ("客户: 名额还会放吗？", "坐席: 昨天十分钟内就报满了，后续会不会再放，您等通知吧。"),
        # the weather on the day, the question echoed, and a way to complain are no remedy
        ("客户: 洗澡间早上人多吗？", "坐席: 这个不好说，看当天情况吧。"),
        ("客户: 那天会不会封路？", "坐席: 這個我也說不準耶，要看當天天氣。"),
        ("客户: 带天地钩的门能装吗？", "坐席: 带天地钩的门能不能装X7 Pro，这个我也说不好。"),
        ("客户: 房东不接电话，我们进不了门！", "坐席: 那您自己看着办吧，我们这边也没办法。",
         "客户: 你们什么态度？我要投诉！", "坐席: 您可以在App里提交投诉。"),
        # the day of the wedding is no time frame for a callback
        ("客户: 婚纱什么时候改好？", "坐席: 这个等林老师有空了会联系您的。", "客户: 哦。那定金多少？",
         "坐席: 定金是总价的30%，签约时支付。婚礼当天的跟妆服务可以优惠300元。"),
    ],
)
def test_words_that_look_like_a_remedy_leave_the_non_answer_standing(auditor: Auditor, lines: tuple[str, ...]) -> None:
    assert checks_on(auditor, *lines, check="non_answer")[:1] == [1]


@pytest.mark.parametrize(
    "lines",
    [
        ("客户: 一年两千七百度算第几档？", "坐席: 每一档从多少度开始，这个我一时说不好。", "客户: 你大概说说也行。",
         "坐席: 我想起来了，咱们省是按年累计：一年2760度以内第一档。"),
        ("客户: 旧衣柜能一起带走吗？", "坐席: 这个我还真不太清楚。", "客户: 广告上不是说有回收吗？",
         "坐席: 对，您说得没错，我现在就帮您在订单上加上旧家具搬离服务。"),
        ("客户: 桌面裂了一条缝是质量问题吗？",
         "坐席: 实木会随湿度热胀冷缩，细小裂纹是正常现象，这个在保修说明书里都有写，不属于质量问题。"),
        ("客户: 我二十四个月交易经验怎么算？",
         "坐席: 就是从您第一笔股票交易到现在满两年，不是开户满两年。这种基础的东西都不懂，还是先别急着炒了。"),
        ("客户: 你们怎么知道我的卡被盗刷了？", "坐席: 我哋點知？係系統偵測到異常交易，已經幫你凍結咗張卡。"),
        ("客户: 船上能挂横幅吗？", "坐席: 这个我还真不太清楚。", "客户: 我们主要想挂个横幅拍合影。",
         "坐席: 哦，我想起来了，上个月刚出的规定：横幅可以挂在船头栏杆上。"),
        ("客户: 旧版美元收不收？", "坐席: 这个我一下子说不准。", "客户: 那怎么办？",
         "坐席: 我想起来了，我们有规定：旧版入库时就挑出去了，配送的都是新版。"),
        ("客户: 这款蛋糕有坚果吗？", "坐席: 这个我一下子说不清楚。", "客户: 孩子过敏，很重要。",
         "坐席: 抱歉，我想起来了，这款的饼底含杏仁，不适合过敏的孩子。"),
        ("客户: 20号之前能到吗？", "坐席: 具体哪天轮到您这本，现在还说不好。", "客户: 给个大概时间也行。",
         "坐席: 按现在的排期，周四烫金，周五发顺丰，杭州市区周六就能到。"),
        ("客户: 外卖多久到？", "坐席: 大概二十分钟，骑手到了会给您打电话的。"),
    ],
)
def test_an_answer_a_cited_verdict_or_words_about_the_customer_are_no_non_answer(
    auditor: Auditor, lines: tuple[str, ...]
) -> None:
    assert checks_on(auditor, *lines, check="non_answer") == []


def test_scrolling_the_mouse_wheel_is_no_taboo_and_cantonese_what_is_the_rush_is(auditor: Auditor) -> None:
    scrolling = ("客户: 表格右边看不到怎么办？", "坐席: 您可以按住Shift再滾滑鼠滾輪，就可以左右捲動表格。")
    impatient = ("客户: 到底幾時有貨？", "坐席: 急咩啫，我而家咪幫緊你囉。")
    assert checks_on(auditor, *scrolling, check="prohibited") == []
    assert checks_on(auditor, *impatient, check="prohibited") == [1]
