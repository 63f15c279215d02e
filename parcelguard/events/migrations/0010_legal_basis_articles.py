"""A penalty decision names the article violated and the article applied, not only a regulation.

The articles below are filled where the seeded basis names them; the others carry a note for the bureau's
legal office to complete before a decision rests on them (a decision on a basis without both articles is
refused: events.services.case_decide)."""

from django.db import migrations, models

ARTICLES = {
    "antiterror_20_85": ("《中华人民共和国反恐怖主义法》第二十条第一款", "《中华人民共和国反恐怖主义法》第八十五条第一项"),
    "antiterror_20_85_person": ("《中华人民共和国反恐怖主义法》第二十条第一款",
                                "《中华人民共和国反恐怖主义法》第八十五条第一项"),
    "postal_law_76": ("《中华人民共和国邮政法》第七条、第五十九条", "《中华人民共和国邮政法》第七十六条"),
    "postal_law_76_employee": ("《中华人民共和国邮政法》第七条、第五十九条", "《中华人民共和国邮政法》第七十六条"),
    "filing_change": ("《快递暂行条例》第十条", "《快递暂行条例》第四十条"),
}


def fill(apps, schema_editor):
    LegalBasis = apps.get_model("events", "LegalBasis")
    for code, (violated, applied) in ARTICLES.items():
        LegalBasis.objects.filter(code=code, violated_article="").update(violated_article=violated,
                                                                        penalty_article=applied)


class Migration(migrations.Migration):
    dependencies = [("events", "0009_partner_source")]
    operations = [
        migrations.AddField(model_name="legalbasis", name="violated_article",
                            field=models.CharField(blank=True, max_length=200, verbose_name="article violated")),
        migrations.AddField(model_name="legalbasis", name="penalty_article",
                            field=models.CharField(blank=True, max_length=200, verbose_name="article applied")),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
